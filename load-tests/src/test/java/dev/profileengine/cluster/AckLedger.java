package dev.profileengine.cluster;

import dev.profileengine.data.BehaviorRow;
import dev.profileengine.profile.BehaviorType;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.LongAdder;

/**
 * The client's independent record: every event handed to the engine and every event it
 * acknowledged ({@code accepted} or {@code duplicate}), by event id. From it come the counts every
 * profile must show: per user and behavior type, the number of distinct acknowledged event ids.
 */
final class AckLedger {
  private final Map<String, BehaviorRow> sent = new ConcurrentHashMap<>();
  private final Map<String, String> acked = new ConcurrentHashMap<>();
  private final Map<String, Long> ackedAtNanos = new ConcurrentHashMap<>();
  private final LongAdder accepted = new LongAdder();
  private final LongAdder duplicateFirstAck = new LongAdder();
  private final LongAdder unconfirmed = new LongAdder();
  private final ConcurrentLinkedQueue<String> rejections = new ConcurrentLinkedQueue<>();
  private final ConcurrentLinkedQueue<String> givenUp = new ConcurrentLinkedQueue<>();

  void sent(List<BehaviorRow> rows) {
    for (BehaviorRow r : rows) sent.putIfAbsent(r.eventId(), r);
  }

  /** An event the engine acknowledged; the first acknowledgement of an id is the one kept. */
  void acked(String eventId, String status) {
    if (acked.putIfAbsent(eventId, status) == null) {
      ackedAtNanos.put(eventId, System.nanoTime());
      if ("accepted".equals(status)) accepted.increment();
      else duplicateFirstAck.increment();
    }
  }

  void unconfirmed(int events) {
    unconfirmed.add(events);
  }

  void rejected(String eventId, String detail) {
    rejections.add(eventId + ": " + detail);
  }

  void gaveUp(String eventId, String lastError) {
    givenUp.add(eventId + ": " + lastError);
  }

  int sentCount() {
    return sent.size();
  }

  int ackedCount() {
    return acked.size();
  }

  /** Events whose first acknowledgement was "accepted". */
  long acceptedCount() {
    return accepted.sum();
  }

  /**
   * Events whose first acknowledgement the client saw was "duplicate": stored by an attempt whose
   * answer never reached the client (a killed node, a timeout), then recognised on the retry.
   */
  long duplicateFirstAckCount() {
    return duplicateFirstAck.sum();
  }

  long unconfirmedResults() {
    return unconfirmed.sum();
  }

  List<String> rejections() {
    return List.copyOf(rejections);
  }

  List<String> givenUp() {
    return List.copyOf(givenUp);
  }

  /** Events handed to the engine that it never acknowledged. */
  Set<String> unacknowledged() {
    Set<String> missing = ConcurrentHashMap.newKeySet();
    sent.keySet().forEach(id -> {
      if (!acked.containsKey(id)) missing.add(id);
    });
    return missing;
  }

  boolean isAcked(String eventId) {
    return acked.containsKey(eventId);
  }

  /** Events first acknowledged in {@code [fromNanos, toNanos)}. */
  int ackedBetween(long fromNanos, long toNanos) {
    int n = 0;
    for (long at : ackedAtNanos.values()) if (at >= fromNanos && at < toNanos) n++;
    return n;
  }

  /** Users with at least one acknowledged event whose first acknowledgement came before {@code nanos}. */
  Set<String> usersAckedBefore(long nanos) {
    Set<String> users = ConcurrentHashMap.newKeySet();
    ackedAtNanos.forEach((id, at) -> {
      if (at < nanos) users.add(sent.get(id).userId());
    });
    return users;
  }

  /** Per user sent to: acknowledged distinct event ids per behavior type (indexed by ordinal). */
  Map<String, long[]> expectedCounts() {
    Map<String, long[]> byUser = new HashMap<>();
    sent.values().forEach(r -> byUser.computeIfAbsent(r.userId(), u -> new long[BehaviorType.values().length]));
    acked.keySet().forEach(id -> {
      BehaviorRow r = sent.get(id);
      byUser.computeIfAbsent(r.userId(), u -> new long[BehaviorType.values().length])[r.type().ordinal()]++;
    });
    return byUser;
  }
}
