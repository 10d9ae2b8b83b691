/*
 * DynamoDB Local on loopback only, run by local/dynamodb-local.ts as a single-file Java program (or, with a
 * JDK at hand, compiled once into its cache and run as a class, which starts about a second sooner):
 *
 *   java -Djava.library.path=<lib> -cp "<jar>:<lib>/*" LoopbackDynamoDB.java -inMemory -port <p> ...
 *
 * DynamoDB Local has no host option: its DynamoDBProxyServer builds Jetty with `new Server(port)`, which
 * listens on every interface, with no authentication. This launcher takes the same command line, builds the
 * server the same way (ServerRunner.createServerFromCommandLineArgs), and before starting it:
 *   - binds each of Jetty's connectors to 127.0.0.1 (the private `server` field, by reflection);
 *   - answers 421 to a request whose Host is not 127.0.0.1:<port> or localhost:<port>: a web page that
 *     rebinds its own DNS name to 127.0.0.1 sends its own name (DNS rebinding);
 *   - answers 403 to a request that carries an Origin header: browsers send one with every cross-origin
 *     request and every POST, SDKs and the AWS CLI never do.
 * Checked with DynamoDB Local 1.25.1 (Jetty 9.4).
 */
import com.amazonaws.services.dynamodbv2.local.main.ServerRunner;
import com.amazonaws.services.dynamodbv2.local.server.DynamoDBProxyServer;
import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import javax.servlet.ServletException;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.HandlerWrapper;

public class LoopbackDynamoDB {
  static final String LOOPBACK = "127.0.0.1";

  public static void main(String[] args) throws Exception {
    DynamoDBProxyServer proxy = ServerRunner.createServerFromCommandLineArgs(args);
    Field field = DynamoDBProxyServer.class.getDeclaredField("server");
    field.setAccessible(true);
    Server server = (Server) field.get(proxy);

    int port = -1;
    for (Connector connector : server.getConnectors()) {
      if (!(connector instanceof ServerConnector)) {
        throw new IllegalStateException("unexpected Jetty connector " + connector.getClass().getName());
      }
      ServerConnector serverConnector = (ServerConnector) connector;
      serverConnector.setHost(LOOPBACK);
      port = serverConnector.getPort();
    }
    if (port < 0) throw new IllegalStateException("DynamoDB Local has no Jetty connector to bind");

    LoopbackRequestsOnly guard = new LoopbackRequestsOnly(port);
    guard.setHandler(server.getHandler());
    server.setHandler(guard);

    proxy.start();
    proxy.join();
  }
}

/** Passes on only requests addressed to this server by a loopback name and sent by no browser page. */
class LoopbackRequestsOnly extends HandlerWrapper {
  private final String[] hosts;

  LoopbackRequestsOnly(int port) {
    hosts = new String[] {LoopbackDynamoDB.LOOPBACK + ":" + port, "localhost:" + port};
  }

  @Override
  public void handle(
      String target, Request base, HttpServletRequest request, HttpServletResponse response)
      throws IOException, ServletException {
    String host = request.getHeader("Host");
    String normalized = host == null ? "" : host.toLowerCase(Locale.ROOT);
    if (!normalized.equals(hosts[0]) && !normalized.equals(hosts[1])) {
      refuse(base, response, 421, "MisdirectedRequest",
          "DynamoDB Local answers only requests to " + hosts[0] + " or " + hosts[1]);
      return;
    }
    if (request.getHeader("Origin") != null) {
      refuse(base, response, 403, "AccessDeniedException",
          "DynamoDB Local answers no browser page (the request has an Origin header)");
      return;
    }
    super.handle(target, base, request, response);
  }

  private static void refuse(
      Request base, HttpServletResponse response, int status, String type, String message)
      throws IOException {
    byte[] body =
        ("{\"__type\":\"" + type + "\",\"Message\":\"" + message + "\"}").getBytes(StandardCharsets.UTF_8);
    response.setStatus(status);
    response.setContentType("application/x-amz-json-1.0");
    response.setContentLength(body.length);
    response.getOutputStream().write(body);
    base.setHandled(true);
  }
}
