# Summarises `jfr print --stack-depth 64 --events jdk.ExecutionSample FILE`: the share of the CPU
# samples by thread group, by layer (the first frame from the top of the stack that is not JDK,
# Scala or logging plumbing names the layer, so a HashMap.get inside H2 counts for H2), by layer
# within each thread group, and the top frames (self).
#   awk -f load-tests/scripts/jfr-breakdown.awk samples.txt    (TOP=25 frames)
function group(t) {
  if (t ~ /inference|djl|predict|model/) return "inference pool"
  if (t ~ /^db-/) return "journal writer pool (slick db-N: writes, recovery reads)"
  if (t ~ /slick|hikari|journal|jdbc|h2/) return "read pools (journal-reads, projection jdbc)"
  if (t ~ /http|grpc|netty/) return "HTTP/gRPC"
  if (t ~ /dispatcher|akka/) return "akka dispatchers"
  if (t ~ /C[12]_CompilerThread|Compiler/) return "JIT"
  if (t ~ /GC|G1/) return "GC"
  return "other: " t
}
function layer(f) {
  if (f ~ /^org\.h2\./) return "H2 (SQL engine, MVStore)"
  if (f ~ /^(slick|com\.zaxxer|akka\.persistence\.jdbc)\./) return "slick/akka-persistence-jdbc"
  if (f ~ /^ai\.djl|pytorch/) return "DJL/inference (Java side)"
  if (f ~ /^com\.fasterxml|^akka\.serialization\.jackson|^dev\.profileengine\.engine\.serialization|^com\.upokecenter|cbor/) return "serialization (Jackson/CBOR)"
  if (f ~ /^akka\.http\.|^akka\.grpc\./) return "akka-http/gRPC"
  if (f ~ /^akka\.stream\./) return "akka-streams"
  if (f ~ /^akka\.persistence\./) return "akka-persistence (typed, recovery)"
  if (f ~ /^akka\.cluster\.sharding\./) return "cluster sharding"
  if (f ~ /^akka\./) return "akka actors/remote/other"
  if (f ~ /^dev\.profileengine\.profile\./) return "profile-core (domain)"
  if (f ~ /^dev\.profileengine\.gateway\./) return "api-gateway code"
  if (f ~ /^dev\.profileengine\.engine\.model\./) return "engine.model (prediction glue)"
  if (f ~ /^dev\.profileengine\./) return "engine code"
  return ""
}
function plumbing(f) { return f ~ /^(java|javax|jdk|sun|scala|com\.sun|org\.slf4j|ch\.qos|kotlin)\./ }
# What the sample's thread was doing, from any frame of its stack (the first rule that matches wins).
function activity(t, st) {
  if (t ~ /^inference/) return "inference (Java side of the pool)"
  if (st ~ /CHECKPOINT|FileChannelImpl\.force|FileStore\.sync/) return "H2: fsync (CHECKPOINT SYNC)"
  if (st ~ /org\.h2\.mvstore\.MVStore\.(commit|store|storeNow)|TransactionStore\.endTransaction|h2\.command\.dml\.TransactionCommand/) return "H2: commit (page store of the group commit)"
  if (st ~ /org\.h2\.command\.dml\.Insert/) return "H2: insert journal rows (indexes)"
  if (st ~ /org\.h2\.command\.dml\.(Delete|Update|Merge)/) return "H2: delete/update (segment members, offsets)"
  if (st ~ /org\.h2\.command\.query\./ && t ~ /^db-/) return "H2: recovery selects (snapshot, highest seq nr)"
  if (st ~ /org\.h2\.command\.query\./) return "H2: read-side selects (change feed, projection)"
  if (st ~ /org\.h2\./) return "H2: other (statement end, LOB cleanup, cache)"
  if (st ~ /akka\.persistence\.typed\.internal\.(ReplayingSnapshot|ReplayingEvents|RequestingRecoveryPermit)|akka\.persistence\.snapshot\.SnapshotStore|ReadHighestSequenceNr|highestSequenceNr|latestSnapshot|asyncReplayMessages|Recovery/) return "entity recovery (akka/plugin side)"
  if (st ~ /EventSourcedBehaviorImpl\.apply|EventSourcedSettings|ActorCell\.create|Shard\.(getOrCreateEntity|startEntity)|UserProfile\.<init>|Behaviors\$?\.setup|ActorCell\.newActor/) return "entity start (spawn, settings)"
  if (st ~ /dev\.profileengine\.engine\.model\.|PredictionRequests/) return "prediction requests (engine side)"
  if (st ~ /serializ|jackson|Cbor/) return "serialization (CBOR/JSON)"
  if (st ~ /asyncWriteMessages|writeJournalRows|JournalWriteBatcher|BatchingJournalDao|^slick|slick\./) return "journal write path (plugin/slick side)"
  if (st ~ /dev\.profileengine\.engine\.UserProfile|dev\.profileengine\.profile\./) return "command handling + domain fold"
  if (st ~ /akka\.cluster\.sharding/) return "sharding (routing, shard actors)"
  if (st ~ /akka\.http|dev\.profileengine\.gateway/) return "HTTP ingest + gateway"
  if (st ~ /akka\.persistence\.query|EventsByTag|changes\./) return "change feed / read journal"
  if (st ~ /akka\.persistence/) return "akka-persistence other"
  return "other (actor plumbing, JDK)"
}
/^jdk\.ExecutionSample/ { inside = 1; thread = ""; depth = 0; lay = ""; top = ""; st = ""; next }
inside && /sampledThread = / { thread = $0; sub(/.*sampledThread = "/, "", thread); sub(/".*/, "", thread); gsub(/[0-9]+/, "N", thread); next }
inside && /stackTrace = \[/ { stack = 1; next }
inside && stack && /^[ \t]*\]/ { stack = 0; next }
inside && stack {
  f = $0; sub(/^[ \t]+/, "", f); sub(/[ \t]+line:.*/, "", f)
  if (f == "...") next
  if (depth == 0) top = f
  st = st " " f
  depth++
  if (lay == "" && !plumbing(f)) lay = layer(f)
  if (lay == "" && !plumbing(f)) { p = f; sub(/\.[^.]*\(.*/, "", p); n = split(p, parts, "."); lay = "other: " parts[1] "." parts[2] (n > 2 ? "." parts[3] : "") }
  next
}
inside && /^}/ {
  inside = 0; total++
  if (lay == "") { p = top; sub(/\.[^.]*\(.*/, "", p); n = split(p, parts, "."); lay = "JDK/Scala only: " parts[1] "." parts[2] }
  g = group(thread)
  byActivity[activity(thread, st)]++
  byGroup[g]++; byLayer[lay]++; byGroupLayer[g " | " lay]++; byThread[thread]++; byFrame[top]++
}
function show(title, arr, limit,   k, line, cmd) {
  printf "\n%s\n", title
  cmd = "sort -t'\t' -k1,1nr | head -" limit
  for (k in arr) printf "%d\t%5.1f%%  %s\n", arr[k], 100 * arr[k] / total, k | cmd
  close(cmd)
}
END {
  if (!total) { print "no jdk.ExecutionSample events"; exit 1 }
  printf "%d CPU samples (jdk.ExecutionSample; Java code only: native inference shows in the /proc thread table)\n", total
  show("by activity (what the whole stack was doing):", byActivity, 30)
  show("by thread group:", byGroup, 20)
  show("by thread (digits as N):", byThread, 15)
  show("by layer (the first non-JDK frame from the top):", byLayer, 25)
  show("by thread group | layer:", byGroupLayer, 30)
  show("top frames (self):", byFrame, TOP ? TOP : 25)
}
