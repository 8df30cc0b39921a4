package io.github.browserpool.cdp;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.browserpool.CdpCallTimeoutException;
import io.github.browserpool.CdpConnectionClosedException;
import io.github.browserpool.CdpException;
import io.github.browserpool.CdpSessionClosedException;

/** The package's one Jackson mapper, and the texts it makes up or shortens for logs. */
final class CdpJson {
  /** Jackson for the small browser-level messages; session traffic is never parsed into a tree here. */
  static final ObjectMapper JSON = new ObjectMapper();

  private CdpJson() {}

  /**
   * An error reply made up on this side for the call with {@code id}, which Chromium will not answer:
   * {@code {"id":id,"error":{"code":code,"message":message}}}.
   */
  static ObjectNode madeUpError(long id, long code, String message) {
    ObjectNode reply = JSON.createObjectNode().put("id", id);
    reply.putObject("error").put("code", code).put("message", message);
    return reply;
  }

  /**
   * Whether {@code code} is one of the codes made up on this side (closed pipe or page, call timeout),
   * or no code at all: such a failure is not Chromium's answer.
   */
  static boolean isMadeUp(long code) {
    return code == CdpException.NO_CODE
        || code == CdpConnectionClosedException.CODE
        || code == CdpSessionClosedException.CODE
        || code == CdpCallTimeoutException.CODE;
  }

  /** {@code text} cut to 300 characters for a log line, saying how long it was. */
  static String abbreviate(String text) {
    return text.length() <= 300 ? text : text.substring(0, 300) + "...(" + text.length() + " chars)";
  }
}
