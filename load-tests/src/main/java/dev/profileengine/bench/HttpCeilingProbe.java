package dev.profileengine.bench;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import akka.http.javadsl.Http;
import akka.http.javadsl.model.ContentTypes;
import akka.http.javadsl.model.HttpEntities;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.server.AllDirectives;
import com.typesafe.config.ConfigFactory;
import java.util.Arrays;
import java.util.Map;

/**
 * The ceiling Akka HTTP puts on profile reads: a server with the node's HTTP settings that answers
 * every request with the same ready JSON body of {@code --bytes} bytes (a profile's size), through
 * Akka HTTP's lightest server API, a synchronous handler ({@code --api handler}: no routing, no
 * lookup, no actor), or through its routing DSL as the node binds its routes ({@code --api route}:
 * one directive that completes with the ready response). What a read costs the node beyond this
 * is the engine's. Runs until killed.
 *
 * <pre>
 * java -cp load-tests/target/benchmarks.jar dev.profileengine.bench.HttpCeilingProbe --port 18390 --bytes 3000 [--api handler|route]
 * </pre>
 */
public final class HttpCeilingProbe {
  private HttpCeilingProbe() {}

  public static void main(String[] args) throws Exception {
    int port = 18390;
    int bytes = 3000;
    String api = "handler";
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--port" -> port = Integer.parseInt(args[i + 1]);
        case "--bytes" -> bytes = Integer.parseInt(args[i + 1]);
        case "--api" -> api = args[i + 1];
        default -> throw new IllegalArgumentException("unknown option " + args[i] + " (--port, --bytes, --api)");
      }
    }
    byte[] body = new byte[bytes];
    Arrays.fill(body, (byte) ' ');
    body[0] = '{';
    body[bytes - 1] = '}';
    HttpResponse response = HttpResponse.create().withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, body));
    // The node's HTTP settings (gateway-http.conf), without its cluster: nothing else runs here.
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "http-ceiling",
        ConfigFactory.parseMap(Map.of("akka.actor.provider", "local", "akka.loglevel", "WARNING")).withFallback(ConfigFactory.load()));
    var server = Http.get(system).newServerAt("127.0.0.1", port);
    var bound = switch (api) {
      case "handler" -> server.bindSync(request -> {
        request.discardEntityBytes(system);
        return response;
      });
      case "route" -> {
        AllDirectives d = new AllDirectives() {};
        yield server.bind(d.extractRequest(request -> d.complete(response)));
      }
      default -> throw new IllegalArgumentException("--api must be handler or route, not " + api);
    };
    bound.toCompletableFuture().get();
    System.out.println("http-ceiling listening on 127.0.0.1:" + port + ", " + bytes + "-byte bodies, api " + api);
  }
}
