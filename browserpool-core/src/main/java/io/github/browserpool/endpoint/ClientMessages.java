package io.github.browserpool.endpoint;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.RawValue;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JSON a {@link CdpRelay} reads from its client and writes back to it: a command frame read and
 * checked the way Chromium checks it, the error and result replies the relay gives itself, and the
 * browser's messages as the client must see them (without the relay's own root session id). No state:
 * every method works on its arguments alone.
 */
final class ClientMessages {
  // Logs as CdpRelay did before these helpers moved here, so the logger names users set stay valid.
  private static final Logger log = LoggerFactory.getLogger(CdpRelay.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonFactory SCANNER = JSON.getFactory();
  private static final JsonNode EMPTY_PARAMS = JsonNodeFactory.instance.rawValueNode(new RawValue("{}"));
  static final String NOT_JSON = "{\"error\":{\"code\":-32700,\"message\":\"Message must be a valid JSON\"}}";
  static final String NO_ID = "{\"error\":{\"code\":-32600,\"message\":\"Message must have integer 'id' property\"}}";
  /** A WebSocket close reason fits in 123 bytes of UTF-8. */
  private static final int MAX_CLOSE_REASON_BYTES = 123;

  private ClientMessages() {}

  /**
   * A client command that passed the protocol checks; {@code sessionId} is null on the client's root
   * session. {@code params} is an {@link ObjectNode} for a method whose params {@link ScopeFilter} reads
   * ({@link ScopeFilter#readsParams}); for any other method it is the client's params text as it came, in
   * a raw value node ({@link JsonNodeFactory#rawValueNode}) that the pipe gets as it is.
   */
  record Command(long id, String sessionId, String method, JsonNode params) {}

  /** One frame, read: the {@code command}, or else the {@code reply} that answers it at once. */
  record Read(Command command, String reply) {
    private static Read refused(String reply) {
      return new Read(null, reply);
    }
  }

  /**
   * Reads one client frame with Chromium's checks, in Chromium's order: valid JSON, an integer id, a
   * session of the client's own (as {@code clientSession} says), a string method, object params (none
   * or null become an empty object).
   */
  static Read read(String text, Predicate<String> clientSession) {
    Command plain = scan(text, clientSession);
    return plain != null ? new Read(plain, null) : readTree(text, clientSession);
  }

  /**
   * The common frame, read in one pass without a tree: an object with an integer {@code id}, a string
   * {@code method} whose params {@link ScopeFilter} does not read, the client's own {@code sessionId} or
   * none, object {@code params} or none, each at most once, and nothing after it. Its params stay the
   * client's text. Null for any other frame: {@link #readTree} then reads it, and answers what is wrong.
   */
  private static Command scan(String text, Predicate<String> clientSession) {
    long id = 0;
    boolean hasId = false;
    boolean hasSession = false;
    String sessionId = null;
    String method = null;
    boolean hasParams = false;
    int paramsStart = -1;
    int paramsEnd = -1;
    try (JsonParser parser = SCANNER.createParser(text)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        return null;
      }
      JsonToken token;
      while ((token = parser.nextToken()) == JsonToken.FIELD_NAME) {
        String field = parser.currentName();
        JsonToken value = parser.nextToken();
        switch (field) {
          case "id":
            if (hasId || value != JsonToken.VALUE_NUMBER_INT
                || parser.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
              return null;
            }
            id = parser.getLongValue();
            hasId = true;
            break;
          case "sessionId":
            if (hasSession || value != JsonToken.VALUE_STRING && value != JsonToken.VALUE_NULL) {
              return null;
            }
            sessionId = value == JsonToken.VALUE_STRING ? parser.getText() : null;
            hasSession = true;
            break;
          case "method":
            if (method != null || value != JsonToken.VALUE_STRING) {
              return null;
            }
            method = parser.getText();
            break;
          case "params":
            if (hasParams || value != JsonToken.START_OBJECT && value != JsonToken.VALUE_NULL) {
              return null;
            }
            hasParams = true;
            if (value == JsonToken.START_OBJECT) {
              paramsStart = (int) parser.currentTokenLocation().getCharOffset();
              parser.skipChildren();
              paramsEnd = (int) parser.currentLocation().getCharOffset();
            }
            break;
          default:
            parser.skipChildren();
        }
      }
      if (token != JsonToken.END_OBJECT || parser.nextToken() != null) {
        return null;
      }
    } catch (IOException | RuntimeException e) {
      return null;
    }
    if (!hasId || method == null || ScopeFilter.readsParams(method)
        || sessionId != null && !clientSession.test(sessionId)) {
      return null;
    }
    if (paramsStart < 0) {
      return new Command(id, sessionId, method, EMPTY_PARAMS);
    }
    // The parser read every character of the params; these checks only guard the offsets, and a NUL,
    // which would end the message on the pipe (JSON allows none outside escapes).
    if (paramsEnd > text.length() || text.charAt(paramsStart) != '{' || text.charAt(paramsEnd - 1) != '}') {
      return null;
    }
    String params = text.substring(paramsStart, paramsEnd);
    if (params.indexOf(0) >= 0) {
      return null;
    }
    return new Command(id, sessionId, method, JsonNodeFactory.instance.rawValueNode(new RawValue(params)));
  }

  /** Reads a frame into a tree with Chromium's checks, in Chromium's order (see {@link #read}). */
  private static Read readTree(String text, Predicate<String> clientSession) {
    JsonNode message;
    try {
      message = JSON.readTree(text);
    } catch (IOException e) {
      return Read.refused(NOT_JSON);
    }
    if (!(message instanceof ObjectNode) || !message.path("id").isIntegralNumber()
        || !message.path("id").canConvertToLong()) {
      return Read.refused(NO_ID);
    }
    long id = message.get("id").asLong();
    JsonNode sessionNode = message.get("sessionId");
    String sessionId = sessionNode == null || sessionNode.isNull() ? null : sessionNode.asText();
    if (sessionId != null && !clientSession.test(sessionId)) {
      return Read.refused(error(id, sessionId, -32001, "Session with given id not found."));
    }
    JsonNode methodNode = message.get("method");
    if (methodNode == null || !methodNode.isTextual()) {
      return Read.refused(error(id, sessionId, -32600, "Message must have string 'method' property"));
    }
    JsonNode paramsNode = message.get("params");
    ObjectNode params;
    if (paramsNode == null || paramsNode.isNull()) {
      params = JSON.createObjectNode();
    } else if (paramsNode instanceof ObjectNode p) {
      params = p;
    } else {
      return Read.refused(error(id, sessionId, -32602, "Invalid parameters: params must be an object"));
    }
    return new Read(new Command(id, sessionId, methodNode.asText(), params), null);
  }

  /** An error reply to command {@code id} (on {@code sessionId}, unless null). */
  static String error(long id, String sessionId, int code, String message) {
    ObjectNode reply = JSON.createObjectNode().put("id", id);
    reply.set("error", JSON.createObjectNode().put("code", code).put("message", message));
    if (sessionId != null) {
      reply.put("sessionId", sessionId);
    }
    return reply.toString();
  }

  /** A result reply to command {@code id} (on {@code sessionId}, unless null). */
  static String result(long id, String sessionId, JsonNode result) {
    ObjectNode answer = JSON.createObjectNode().put("id", id);
    answer.set("result", result);
    if (sessionId != null) {
      answer.put("sessionId", sessionId);
    }
    return answer.toString();
  }

  /** A browser message on {@code sessionId} as the client must see it: without the root session's id. */
  static String forClient(String text, String sessionId, String rootSession, String logPrefix) {
    if (rootSession == null || !rootSession.equals(sessionId)) {
      return text;
    }
    String suffix = ",\"sessionId\":\"" + rootSession + "\"}";
    if (text.endsWith(suffix)) {
      return text.substring(0, text.length() - suffix.length()) + "}";
    }
    try {
      JsonNode tree = JSON.readTree(text);
      if (tree instanceof ObjectNode object) {
        object.remove("sessionId");
        return object.toString();
      }
    } catch (IOException e) {
      log.debug("{}unreadable message for a client", logPrefix, e);
    }
    return text;
  }

  /** A {@code Target.getTargets} reply on {@code target} with only the lease's targets, as the client must see it. */
  static String filteredTargets(String replyText, String target, String rootSession, ScopeFilter filter,
      String logPrefix) {
    try {
      JsonNode reply = JSON.readTree(replyText);
      if (!(reply instanceof ObjectNode tree) || !reply.has("result")) {
        return forClient(replyText, target, rootSession, logPrefix);
      }
      tree.set("result", filter.filterTargets(reply.get("result")));
      if (target.equals(rootSession)) {
        tree.remove("sessionId");
      }
      return tree.toString();
    } catch (IOException e) {
      return forClient(replyText, target, rootSession, logPrefix);
    }
  }

  /** The id of the target a {@code Target.createTarget} reply names, or null. */
  static String createdTargetId(String replyText, String logPrefix) {
    try {
      return JSON.readTree(replyText).path("result").path("targetId").asText(null);
    } catch (IOException e) {
      log.debug("{}unreadable createTarget reply", logPrefix, e);
      return null;
    }
  }

  /** {@code reason} cut to fit a WebSocket close frame, marked with "..." when cut. */
  static String closeReason(String reason) {
    byte[] bytes = reason.getBytes(StandardCharsets.UTF_8);
    if (bytes.length <= MAX_CLOSE_REASON_BYTES) {
      return reason;
    }
    String cut = reason;
    while (cut.getBytes(StandardCharsets.UTF_8).length > MAX_CLOSE_REASON_BYTES - 3) {
      cut = cut.substring(0, cut.length() - 1);
    }
    return cut + "...";
  }
}
