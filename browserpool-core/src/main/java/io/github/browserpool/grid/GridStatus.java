package io.github.browserpool.grid;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.browserpool.BrowserLaunchException;
import io.github.browserpool.PoolConfig;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What a Grid's {@code GET /status} tells the pool: its nodes, their session-timeout, and the sessions
 * in their slots with the owner label each one carries.
 */
final class GridStatus {
  /** One session a node holds: its id, and its owner label or null when it has none. */
  record Session(String id, JsonNode owner) {}

  private final JsonNode value;

  private GridStatus(JsonNode value) {
    this.value = value;
  }

  /**
   * {@code GET /status}.
   *
   * @throws BrowserLaunchException saying why the Grid cannot be used: unreachable, or not a Grid 4
   */
  static GridStatus read(GridClient client, String prefix, Duration timeout) {
    GridClient.Reply reply;
    try {
      reply = client.get("/status", timeout);
    } catch (IOException e) {
      throw client.unreachable(prefix, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BrowserLaunchException(prefix + "interrupted while asking Selenium Grid " + client.base()
          + " for its status", e);
    }
    if (!reply.ok() || !reply.value().isObject() || !reply.value().has("ready")) {
      throw new BrowserLaunchException(prefix + "Selenium Grid " + client.base() + " answered GET /status with "
          + reply.message() + ", not a Grid 4 status. Check that PoolConfig.seleniumGrid(...) points to the"
          + " Grid's router or standalone server, e.g. http://127.0.0.1:4444.");
    }
    return new GridStatus(reply.value());
  }

  /** {@code GET /status} without the checks of {@link #read}, for a look that may fail. */
  static GridStatus readQuietly(GridClient client, Duration timeout) throws IOException, InterruptedException {
    return new GridStatus(client.get("/status", timeout).value());
  }

  int nodes() {
    return value.path("nodes").size();
  }

  /** The smallest session-timeout a node reports, or {@code fallback} when none reports a positive one. */
  Duration sessionTimeout(Duration fallback) {
    Duration timeout = null;
    for (JsonNode node : value.path("nodes")) {
      if (node.path("sessionTimeout").canConvertToLong()) {
        Duration t = Duration.ofMillis(node.path("sessionTimeout").asLong());
        timeout = timeout == null || t.compareTo(timeout) < 0 ? t : timeout;
      }
    }
    return timeout != null && !timeout.isZero() && !timeout.isNegative() ? timeout : fallback;
  }

  /** Every session the Grid's nodes hold. */
  List<Session> sessions() {
    List<Session> out = new ArrayList<>();
    for (JsonNode node : value.path("nodes")) {
      for (JsonNode slot : node.path("slots")) {
        JsonNode session = slot.path("session");
        if (session.hasNonNull("sessionId")) {
          out.add(new Session(session.get("sessionId").asText(),
              session.path("capabilities").get(PoolConfig.GRID_OWNER_CAPABILITY)));
        }
      }
    }
    return out;
  }

  /** ", where N of the M slots hold sessions", or "" when the status cannot be read. */
  static String slotSummary(GridClient client) {
    try {
      GridStatus status = readQuietly(client, Duration.ofSeconds(2));
      int slots = 0;
      int busy = 0;
      for (JsonNode node : status.value.path("nodes")) {
        for (JsonNode slot : node.path("slots")) {
          slots++;
          busy += slot.path("session").hasNonNull("sessionId") ? 1 : 0;
        }
      }
      return " (" + busy + " of its " + slots + " slots hold sessions)";
    } catch (IOException | RuntimeException e) {
      return "";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "";
    }
  }
}
