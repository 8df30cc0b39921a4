package io.github.browserpool.grid;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import io.github.browserpool.BrowserLaunchException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The few W3C WebDriver and Grid HTTP calls the pool needs, over the JDK's {@link HttpClient}. Every
 * call has a timeout. Grid 4 rejects {@code application/json} without a charset, so bodies are sent as
 * {@code application/json; charset=utf-8}.
 */
final class GridClient {
  private static final Logger LOG = LoggerFactory.getLogger(GridClient.class);
  static final ObjectMapper JSON = new ObjectMapper();

  private final URI base;
  private final HttpClient http;

  /**
   * @param executor runs the client's response handling and websocket callbacks (the JDK's default is an
   *     unbounded pool that never ends with the pool)
   */
  GridClient(URI base, Duration connectTimeout, Executor executor) {
    this.base = base;
    this.http = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(connectTimeout)
        .executor(executor)
        .build();
  }

  URI base() {
    return base;
  }

  HttpClient http() {
    return http;
  }

  /** One response: its status and its JSON body ({@code MissingNode} when it is not JSON). */
  record Reply(int status, JsonNode body) {
    boolean ok() {
      return status / 100 == 2;
    }

    JsonNode value() {
      return body.path("value");
    }

    /** The W3C error code, e.g. {@code "invalid session id"}, or null. */
    String error() {
      return value().path("error").asText(null);
    }

    /** Grid's own message, without its "Build info"/"System info" trailer; or the HTTP status. */
    String message() {
      String m = value().path("message").asText(null);
      if (m == null) {
        return "HTTP " + status;
      }
      int cut = m.length();
      for (String trailer : new String[] {"\nHost info", "\nBuild info", "\nSystem info"}) {
        int at = m.indexOf(trailer);
        if (at >= 0) {
          cut = Math.min(cut, at);
        }
      }
      return m.substring(0, cut).trim();
    }

    /** True for the W3C "invalid session id" error: the session no longer exists. */
    boolean sessionGone() {
      return status == 404 && "invalid session id".equals(error());
    }
  }

  Reply get(String path, Duration timeout) throws IOException, InterruptedException {
    return send(request(path, timeout).GET().build());
  }

  CompletableFuture<Reply> getAsync(String path, Duration timeout) {
    return http.sendAsync(request(path, timeout).GET().build(), HttpResponse.BodyHandlers.ofByteArray())
        .thenApply(GridClient::reply);
  }

  Reply post(String path, JsonNode body, Duration timeout) throws IOException, InterruptedException {
    byte[] bytes = JSON.writeValueAsBytes(body);
    return send(request(path, timeout)
        .header("Content-Type", "application/json; charset=utf-8")
        .POST(HttpRequest.BodyPublishers.ofByteArray(bytes))
        .build());
  }

  CompletableFuture<Reply> postAsync(String path, JsonNode body, Duration timeout) {
    byte[] bytes;
    try {
      bytes = JSON.writeValueAsBytes(body);
    } catch (IOException e) {
      return CompletableFuture.failedFuture(e);
    }
    return http.sendAsync(request(path, timeout)
            .header("Content-Type", "application/json; charset=utf-8")
            .POST(HttpRequest.BodyPublishers.ofByteArray(bytes))
            .build(), HttpResponse.BodyHandlers.ofByteArray())
        .thenApply(GridClient::reply);
  }

  Reply delete(String path, Duration timeout) throws IOException, InterruptedException {
    return send(request(path, timeout).DELETE().build());
  }

  /**
   * {@code DELETE /session/{id}}; true when the Grid answered 2xx. A failure to send is logged at WARN
   * (the Grid reaps the session after its session-timeout).
   */
  boolean deleteSession(String prefix, String sessionId, Duration timeout) {
    try {
      return delete("/session/" + sessionId, timeout).ok();
    } catch (IOException e) {
      LOG.warn("{}could not delete Grid session {}: {}", prefix, sessionId, e.toString());
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** The exception for a Grid that could not be reached or did not answer. */
  BrowserLaunchException unreachable(String prefix, IOException e) {
    String what = e instanceof ConnectException || e instanceof HttpConnectTimeoutException
        ? "is unreachable" : "failed to answer";
    return new BrowserLaunchException(prefix + "Selenium Grid " + base + " " + what + " (" + e
        + "). Check that the Grid runs and that PoolConfig.seleniumGrid(...) points to its router or"
        + " standalone server, e.g. http://127.0.0.1:4444.", e);
  }

  private HttpRequest.Builder request(String path, Duration timeout) {
    return HttpRequest.newBuilder(URI.create(base + path)).timeout(timeout).header("Accept", "application/json");
  }

  private Reply send(HttpRequest request) throws IOException, InterruptedException {
    return reply(http.send(request, HttpResponse.BodyHandlers.ofByteArray()));
  }

  private static Reply reply(HttpResponse<byte[]> response) {
    JsonNode body;
    try {
      body = JSON.readTree(new String(response.body(), StandardCharsets.UTF_8));
      if (body == null) {
        body = MissingNode.getInstance();
      }
    } catch (IOException e) {
      body = MissingNode.getInstance();
    }
    return new Reply(response.statusCode(), body);
  }
}
