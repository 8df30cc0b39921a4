package io.github.browserpool.cdp;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;

/**
 * Reads the routing fields of one incoming CDP message: the top-level {@code id} (and where its digits
 * sit in the text), {@code sessionId} and {@code method}, without building a tree.
 *
 * <p>Every id on the wire is unique on its connection, so a reply is routed by its id alone and the
 * scan stops there; Chromium writes {@code id} first, so a huge reply is not read to its end.
 */
record Envelope(long id, int idStart, int idEnd, String sessionId, String method) {
  static final long NO_ID = -1;

  private static final JsonFactory JSON = new JsonFactory();

  boolean hasId() {
    return id != NO_ID;
  }

  /**
   * Returns {@code text}, the message this envelope was scanned from, with {@code newId} in place of its
   * id; the rest of a possibly huge reply is copied once, not re-serialised.
   */
  String withId(String text, long newId) {
    return text.substring(0, idStart) + newId + text.substring(idEnd);
  }

  static Envelope scan(String text) throws IOException {
    try (JsonParser parser = JSON.createParser(text)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        throw new IOException("not a JSON object");
      }
      String sessionId = null;
      String method = null;
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String field = parser.currentName();
        JsonToken value = parser.nextToken();
        if ("id".equals(field) && value == JsonToken.VALUE_NUMBER_INT) {
          int start = (int) parser.currentTokenLocation().getCharOffset();
          return new Envelope(parser.getLongValue(), start, start + parser.getTextLength(), null, null);
        } else if ("sessionId".equals(field) && value == JsonToken.VALUE_STRING) {
          sessionId = parser.getText();
        } else if ("method".equals(field) && value == JsonToken.VALUE_STRING) {
          method = parser.getText();
        } else {
          parser.skipChildren();
        }
      }
      return new Envelope(NO_ID, -1, -1, sessionId, method);
    }
  }
}
