package io.github.browserpool.session;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.browserpool.SessionStateException;

/** SCAFFOLD (replaced by the session-state branch): a parsed Playwright storageState. */
public final class StorageState {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final JsonNode tree;

  private StorageState(JsonNode tree) {
    this.tree = tree;
  }

  public static StorageState parse(String json, String source) {
    try {
      JsonNode t = JSON.readTree(json);
      if (t == null || !t.isObject()) {
        throw new SessionStateException(source + ": not a JSON object");
      }
      return new StorageState(t);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new SessionStateException(source + ": not JSON: " + e.getOriginalMessage(), e);
    }
  }

  public static StorageState empty() {
    return new StorageState(JSON.createObjectNode().set("cookies", JSON.createArrayNode()));
  }

  public boolean isEmpty() {
    JsonNode c = tree.get("cookies");
    JsonNode o = tree.get("origins");
    return (c == null || c.isEmpty()) && (o == null || o.isEmpty());
  }

  public String toJson() {
    return tree.toString();
  }
}
