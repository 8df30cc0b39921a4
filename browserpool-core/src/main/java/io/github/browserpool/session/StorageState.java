package io.github.browserpool.session;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.browserpool.SessionStateException;
import io.github.browserpool.SessionStore;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Objects;

/**
 * A browser context's saved state in Playwright's {@code storageState} format, validated and immutable:
 * {@code {"cookies":[cookie...],"origins":[{"origin","localStorage":[{"name","value"}],"indexedDB"?:[...]}]}}.
 *
 * <p>A cookie is checked as Playwright checks it: {@code expires} is -1 (a session cookie) or between 0
 * and 253402300799 (Unix seconds), {@code sameSite} is Strict, Lax or None. An origin is an http(s) origin
 * ({@code scheme://host[:port]}, nothing after it), at most once. IndexedDB is in Playwright's shape
 * (databases of stores with records and indexes; a record's {@code key}/{@code keyEncoded} and {@code
 * value}/{@code valueEncoded} are kept as given) and is carried as JSON text, for the restore script. Any
 * field outside the format is refused, so that a file of another format (a HAR file, a bare cookie array)
 * is told apart from a state.
 */
public final class StorageState {
  /** The largest {@code expires} Playwright accepts: 9999-12-31T23:59:59Z. */
  public static final long MAX_EXPIRES = 253402300799L;

  private static final JsonFactory FACTORY = JsonFactory.builder()
      .streamReadConstraints(StreamReadConstraints.builder().maxStringLength(SessionStore.MAX_STATE_CHARS).build())
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .build();
  private static final ObjectMapper JSON = new ObjectMapper(FACTORY);
  private static final StorageState EMPTY = new StorageState(List.of(), List.of());

  private final List<Cookie> cookies;
  private final List<Origin> origins;

  /** One cookie, as Playwright writes it; {@code partitionKey} and {@code crHasCrossSiteAncestor} may be null. */
  public record Cookie(String name, String value, String domain, String path, double expires, boolean httpOnly,
      boolean secure, String sameSite, String partitionKey, Boolean crHasCrossSiteAncestor) {
    public Cookie {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(value, "value");
      Objects.requireNonNull(domain, "domain");
      Objects.requireNonNull(path, "path");
      Objects.requireNonNull(sameSite, "sameSite");
    }

    /** Whether the cookie ends with the browser session ({@code expires} -1). */
    public boolean session() {
      return expires == -1;
    }
  }

  /** One localStorage entry. */
  public record Item(String name, String value) {
    public Item {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(value, "value");
    }
  }

  /**
   * One origin's storage: its localStorage, and its IndexedDB databases as Playwright's JSON array (null
   * when the state has none for this origin).
   */
  public record Origin(String origin, List<Item> localStorage, String indexedDbJson) {
    public Origin {
      Objects.requireNonNull(origin, "origin");
      localStorage = List.copyOf(localStorage);
    }

    /** Whether this origin has IndexedDB databases to restore. */
    public boolean hasIndexedDb() {
      return indexedDbJson != null && !indexedDbJson.equals("[]");
    }
  }

  private StorageState(List<Cookie> cookies, List<Origin> origins) {
    this.cookies = List.copyOf(cookies);
    this.origins = List.copyOf(origins);
  }

  /** A state of parts {@link StateValidator} checked. */
  static StorageState ofValidated(List<Cookie> cookies, List<Origin> origins) {
    return new StorageState(cookies, origins);
  }

  /** The state with no cookie and no origin. */
  public static StorageState empty() {
    return EMPTY;
  }

  /**
   * A state made of what a browser context holds (its collected cookies and origins), validated as {@link
   * #parse} validates.
   *
   * @throws SessionStateException when a part is not valid, naming {@code source}
   */
  public static StorageState of(List<Cookie> cookies, List<Origin> origins, String source) {
    StorageState s = new StorageState(cookies, origins);
    return parse(s.toJson(), source);
  }

  /**
   * Parses and validates a state.
   *
   * @param source how error messages name where the JSON came from, e.g. {@code "the state of session
   *     'alice' (file /srv/sessions/ab12….session)"}
   * @throws SessionStateException when {@code json} is longer than {@link SessionStore#MAX_STATE_CHARS},
   *     does not parse, or is not a Playwright storageState; the message names {@code source}, what is wrong
   *     and what to do
   */
  public static StorageState parse(String json, String source) {
    Objects.requireNonNull(json, "json");
    if (json.length() > SessionStore.MAX_STATE_CHARS) {
      throw new SessionStateException(source + " is " + json.length() + " characters long, over the limit of "
          + SessionStore.MAX_STATE_CHARS + " (SessionStore.MAX_STATE_CHARS). " + remedy());
    }
    JsonNode root;
    try (JsonParser p = FACTORY.createParser(json)) {
      root = JSON.readTree(p);
      if (p.nextToken() != null) {
        throw new SessionStateException(source + " is not one JSON value: more follows after it at line "
            + p.currentLocation().getLineNr() + ". " + remedy());
      }
    } catch (IOException e) {
      throw new SessionStateException(source + " is not valid JSON (" + firstLine(e.getMessage())
          + "); it may be truncated. " + remedy(), e);
    }
    return StateValidator.validate(root, source);
  }

  /** What to do about a state that cannot be used; ends every parse error's message. */
  static String remedy() {
    return "A state is the JSON of BrowserLease.storageState() or Playwright's BrowserContext.storageState();"
        + " for a stored session, pool.invalidate(key) deletes the state and the key's next lease starts a new"
        + " session.";
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "no detail";
    }
    int nl = message.indexOf('\n');
    return nl < 0 ? message : message.substring(0, nl);
  }

  /** The cookies, in order. */
  public List<Cookie> cookies() {
    return cookies;
  }

  /** The origins with storage, in order. */
  public List<Origin> origins() {
    return origins;
  }

  /** Whether the state holds no cookie and no origin. */
  public boolean isEmpty() {
    return cookies.isEmpty() && origins.isEmpty();
  }

  /** Whether any origin has IndexedDB databases to restore. */
  public boolean hasIndexedDb() {
    return origins.stream().anyMatch(Origin::hasIndexedDb);
  }

  /**
   * The state as Playwright's JSON: {@code cookies} and {@code origins}, each cookie with all its fields,
   * {@code indexedDB} only on origins that have it. {@link #parse} reads it back to an equal state.
   */
  public String toJson() {
    StringWriter out = new StringWriter();
    try (JsonGenerator g = FACTORY.createGenerator(out)) {
      g.writeStartObject();
      g.writeArrayFieldStart("cookies");
      for (Cookie c : cookies) {
        g.writeStartObject();
        g.writeStringField("name", c.name());
        g.writeStringField("value", c.value());
        g.writeStringField("domain", c.domain());
        g.writeStringField("path", c.path());
        g.writeFieldName("expires");
        writeNumber(g, c.expires());
        g.writeBooleanField("httpOnly", c.httpOnly());
        g.writeBooleanField("secure", c.secure());
        g.writeStringField("sameSite", c.sameSite());
        if (c.partitionKey() != null) {
          g.writeStringField("partitionKey", c.partitionKey());
        }
        if (c.crHasCrossSiteAncestor() != null) {
          g.writeBooleanField("_crHasCrossSiteAncestor", c.crHasCrossSiteAncestor());
        }
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeArrayFieldStart("origins");
      for (Origin o : origins) {
        g.writeStartObject();
        g.writeStringField("origin", o.origin());
        g.writeArrayFieldStart("localStorage");
        for (Item i : o.localStorage()) {
          g.writeStartObject();
          g.writeStringField("name", i.name());
          g.writeStringField("value", i.value());
          g.writeEndObject();
        }
        g.writeEndArray();
        if (o.indexedDbJson() != null) {
          g.writeFieldName("indexedDB");
          g.writeRawValue(o.indexedDbJson());
        }
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a StringWriter does not fail
    }
    return out.toString();
  }

  /** Writes a whole number without a fraction ({@code -1}, not {@code -1.0}), as Playwright does. */
  private static void writeNumber(JsonGenerator g, double d) throws IOException {
    if (d == Math.rint(d) && Math.abs(d) < 1e15) {
      g.writeNumber((long) d);
    } else {
      g.writeNumber(java.math.BigDecimal.valueOf(d).toPlainString()); // 1796693024.393601, as JavaScript writes it
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof StorageState s && s.cookies.equals(cookies) && s.origins.equals(origins);
  }

  @Override
  public int hashCode() {
    return Objects.hash(cookies, origins);
  }

  /** Counts only, never values: a state holds credentials. */
  @Override
  public String toString() {
    return "StorageState[" + cookies.size() + " cookies, " + origins.size() + " origins]";
  }

  static ObjectMapper mapper() {
    return JSON;
  }
}
