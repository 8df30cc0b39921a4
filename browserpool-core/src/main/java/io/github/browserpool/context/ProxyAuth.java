package io.github.browserpool.context;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.browserpool.cdp.CdpSession;
import io.github.browserpool.cdp.PipeConnection;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * Answers a lease's proxy when it asks for credentials, on one page session, so that the page never sees
 * them: {@code Fetch.enable} with {@code handleAuthRequests}, then every paused request is continued
 * and the proxy's challenge ({@code Fetch.authRequired}, source Proxy) is answered with the lease's
 * credentials; a server's own challenge gets Chromium's default answer. This is the pool's own traffic:
 * it is sent over the connection, not through the lease's page, so it never counts as the lease's
 * activity, and a page that never stops loading cannot keep a forgotten lease alive. The answers are
 * sent from the connection's {@code proxy-auth} threads, never from the pipe's reader.
 */
final class ProxyAuth {
  private static final ObjectMapper JSON = new ObjectMapper();

  private ProxyAuth() {}

  /** A proxy's user name and password. */
  record Credentials(String user, String password) {
    @Override
    public String toString() {
      return "Credentials[" + user + ", ***]";
    }
  }

  /** Installs the answers on {@code session} and waits (bounded) until Chromium intercepts for it. */
  static void install(PipeConnection conn, CdpSession session, Credentials creds, Duration timeout) {
    String sid = session.sessionId();
    Executor answers = conn.threads().proxyAuth();
    session.addMessageHandler(message -> {
      if (!message.contains("\"Fetch.")) {
        return; // most messages: no parsing on the reader thread
      }
      answers.execute(() -> answer(conn, sid, creds, message));
    });
    ObjectNode enable = JSON.createObjectNode().put("handleAuthRequests", true);
    enable.putArray("patterns").addObject().put("urlPattern", "*");
    try {
      conn.send(sid, "Fetch.enable", enable).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while enabling proxy authentication", e);
    } catch (Exception e) {
      throw new IllegalStateException("could not enable proxy authentication on the page: " + e, e);
    }
  }

  private static void answer(PipeConnection conn, String sid, Credentials creds, String message) {
    JsonNode m;
    try {
      m = JSON.readTree(message);
    } catch (Exception e) {
      return;
    }
    String method = m.path("method").asText();
    JsonNode params = m.path("params");
    String requestId = params.path("requestId").asText();
    if (method.equals("Fetch.requestPaused")) {
      conn.send(sid, "Fetch.continueRequest", JSON.createObjectNode().put("requestId", requestId));
    } else if (method.equals("Fetch.authRequired")) {
      boolean proxy = "Proxy".equals(params.path("authChallenge").path("source").asText());
      ObjectNode answer = JSON.createObjectNode().put("response", proxy ? "ProvideCredentials" : "Default");
      if (proxy) {
        answer.put("username", creds.user()).put("password", creds.password());
      }
      ObjectNode p = JSON.createObjectNode().put("requestId", requestId);
      p.set("authChallengeResponse", answer);
      conn.send(sid, "Fetch.continueWithAuth", p);
    }
  }
}
