package io.github.browserpool.session;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.github.browserpool.SessionStateException;
import io.github.browserpool.session.StorageState.Cookie;
import io.github.browserpool.session.StorageState.Item;
import io.github.browserpool.session.StorageState.Origin;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Checks a parsed JSON tree against Playwright's storageState format, field by field, with an allow-list
 * of fields at every level; each error names the source, the path of the bad field and what was expected.
 */
final class StateValidator {
  private static final Set<String> TOP = Set.of("cookies", "origins");
  private static final Set<String> COOKIE = Set.of("name", "value", "domain", "path", "expires", "httpOnly", "secure",
      "sameSite", "partitionKey", "_crHasCrossSiteAncestor");
  private static final Set<String> ORIGIN = Set.of("origin", "localStorage", "indexedDB");
  private static final Set<String> ITEM = Set.of("name", "value");
  private static final Set<String> DATABASE = Set.of("name", "version", "stores");
  private static final Set<String> STORE = Set.of("name", "autoIncrement", "keyPath", "keyPathArray", "records",
      "indexes");
  private static final Set<String> RECORD = Set.of("key", "keyEncoded", "value", "valueEncoded");
  private static final Set<String> INDEX = Set.of("name", "keyPath", "keyPathArray", "multiEntry", "unique");
  private static final Set<String> SAME_SITE = Set.of("Strict", "Lax", "None");

  private final String source;

  private StateValidator(String source) {
    this.source = source;
  }

  static StorageState validate(JsonNode root, String source) {
    return new StateValidator(source).state(root);
  }

  private StorageState state(JsonNode root) {
    if (root == null || !root.isObject()) {
      throw bad("it is " + kind(root) + ", not a storageState object {\"cookies\":[...],\"origins\":[...]}"
          + (root != null && root.isArray() ? " (a bare cookie array is not a state: put it under \"cookies\")" : ""));
    }
    if (!root.has("cookies") && !root.has("origins")) {
      throw bad("it has neither \"cookies\" nor \"origins\" (its fields are " + fieldNames(root)
          + "), so it is a file of another format, not a storageState");
    }
    fields(root, TOP, "the top level");
    List<Cookie> cookies = new ArrayList<>();
    JsonNode cs = root.has("cookies") ? array(root, "cookies", "") : StorageState.mapper().createArrayNode();
    for (int i = 0; i < cs.size(); i++) {
      cookies.add(cookie(cs.get(i), "cookies[" + i + "]"));
    }
    List<Origin> origins = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    JsonNode os = root.has("origins") ? array(root, "origins", "") : StorageState.mapper().createArrayNode();
    for (int i = 0; i < os.size(); i++) {
      Origin o = origin(os.get(i), "origins[" + i + "]");
      if (!seen.add(o.origin())) {
        throw bad("it has origin " + o.origin() + " twice (origins[" + i + "]); give each origin once");
      }
      origins.add(o);
    }
    return StorageState.ofValidated(cookies, origins);
  }

  private Cookie cookie(JsonNode c, String at) {
    entry(c, COOKIE, at);
    String name = text(c, "name", at, true);
    String domain = text(c, "domain", at, true);
    if (domain.isEmpty()) {
      throw bad(at + ".domain is empty; a cookie needs the domain it belongs to");
    }
    String path = text(c, "path", at, true);
    if (!path.startsWith("/")) {
      throw bad(at + ".path is \"" + path + "\"; a cookie's path starts with /");
    }
    double expires = -1;
    if (c.has("expires")) {
      JsonNode e = c.get("expires");
      if (!e.isNumber()) {
        throw bad(at + ".expires is " + kind(e) + ", expected a number of Unix seconds, or -1 for a session cookie");
      }
      expires = e.asDouble();
      if (!(expires == -1 || (expires >= 0 && expires <= StorageState.MAX_EXPIRES))) {
        throw bad(at + ".expires is " + e.asText() + ", expected -1 (a session cookie) or Unix seconds from 0 to "
            + StorageState.MAX_EXPIRES);
      }
    }
    String sameSite = c.has("sameSite") ? text(c, "sameSite", at, true) : "Lax";
    if (!SAME_SITE.contains(sameSite)) {
      throw bad(at + ".sameSite is \"" + sameSite + "\", expected Strict, Lax or None (with that case)");
    }
    Boolean crossSite = c.has("_crHasCrossSiteAncestor") ? bool(c, "_crHasCrossSiteAncestor", at) : null;
    return new Cookie(name, text(c, "value", at, true), domain, path, expires,
        c.has("httpOnly") && bool(c, "httpOnly", at), c.has("secure") && bool(c, "secure", at), sameSite,
        c.has("partitionKey") ? text(c, "partitionKey", at, true) : null, crossSite);
  }

  private Origin origin(JsonNode o, String at) {
    entry(o, ORIGIN, at);
    String origin = text(o, "origin", at, true);
    checkOrigin(origin, at + ".origin");
    List<Item> items = new ArrayList<>();
    if (o.has("localStorage")) {
      JsonNode ls = array(o, "localStorage", at);
      for (int i = 0; i < ls.size(); i++) {
        String ia = at + ".localStorage[" + i + "]";
        entry(ls.get(i), ITEM, ia);
        items.add(new Item(text(ls.get(i), "name", ia, true), text(ls.get(i), "value", ia, true)));
      }
    }
    String indexedDb = null;
    if (o.has("indexedDB")) {
      JsonNode dbs = array(o, "indexedDB", at);
      for (int i = 0; i < dbs.size(); i++) {
        database(dbs.get(i), at + ".indexedDB[" + i + "]");
      }
      try {
        indexedDb = StorageState.mapper().writeValueAsString(dbs);
      } catch (JsonProcessingException e) {
        throw bad(at + ".indexedDB cannot be written back as JSON: " + e.getOriginalMessage());
      }
    }
    return new Origin(origin, items, indexedDb);
  }

  /** An http(s) origin, {@code scheme://host[:port]} exactly, as a page's {@code location.origin} says it. */
  private void checkOrigin(String origin, String at) {
    String why = null;
    try {
      URI u = new URI(origin);
      String scheme = u.getScheme() == null ? "" : u.getScheme();
      if (!scheme.equals("http") && !scheme.equals("https")) {
        why = "is not an http or https origin (browserpool, like Playwright, keeps the storage of web origins only)";
      } else if (u.getHost() == null || u.getRawUserInfo() != null || !u.getRawPath().isEmpty()
          || u.getRawQuery() != null || u.getRawFragment() != null) {
        why = "is not an origin: expected scheme://host[:port] with nothing after it, e.g. https://example.com";
      } else if (!u.getHost().equals(u.getHost().toLowerCase(Locale.ROOT))) {
        why = "has upper-case letters in its host; write it as the browser does, in lower case";
      }
    } catch (URISyntaxException e) {
      why = "is not a URL (" + e.getReason() + ")";
    }
    if (why != null) {
      throw bad(at + " \"" + origin + "\" " + why);
    }
  }

  private void database(JsonNode db, String at) {
    entry(db, DATABASE, at);
    text(db, "name", at, true);
    JsonNode version = db.get("version");
    if (version == null || !version.canConvertToLong() || !version.isIntegralNumber() || version.asLong() < 1) {
      throw bad(at + ".version is " + kind(version) + ", expected a whole number of at least 1");
    }
    JsonNode stores = array(db, "stores", at);
    for (int i = 0; i < stores.size(); i++) {
      String sa = at + ".stores[" + i + "]";
      JsonNode s = stores.get(i);
      entry(s, STORE, sa);
      text(s, "name", sa, true);
      bool(s, "autoIncrement", sa);
      keyPath(s, sa);
      JsonNode records = array(s, "records", sa);
      for (int r = 0; r < records.size(); r++) {
        entry(records.get(r), RECORD, sa + ".records[" + r + "]");
      }
      JsonNode indexes = array(s, "indexes", sa);
      for (int x = 0; x < indexes.size(); x++) {
        String xa = sa + ".indexes[" + x + "]";
        JsonNode index = indexes.get(x);
        entry(index, INDEX, xa);
        text(index, "name", xa, true);
        bool(index, "multiEntry", xa);
        bool(index, "unique", xa);
        keyPath(index, xa);
      }
    }
  }

  private void keyPath(JsonNode n, String at) {
    if (n.has("keyPath") && !n.get("keyPath").isTextual()) {
      throw bad(at + ".keyPath is " + kind(n.get("keyPath")) + ", expected a string");
    }
    if (n.has("keyPathArray")) {
      JsonNode a = array(n, "keyPathArray", at);
      for (JsonNode k : a) {
        if (!k.isTextual()) {
          throw bad(at + ".keyPathArray holds " + kind(k) + ", expected strings");
        }
      }
    }
  }

  /** An object with only {@code allowed} fields. */
  private void entry(JsonNode n, Set<String> allowed, String at) {
    object(n, at);
    fields(n, allowed, at);
  }

  private void object(JsonNode n, String at) {
    if (n == null || !n.isObject()) {
      throw bad(at + " is " + kind(n) + ", expected an object");
    }
  }

  private JsonNode array(JsonNode parent, String field, String at) {
    JsonNode a = parent.get(field);
    String where = at.isEmpty() ? "\"" + field + "\"" : at + "." + field;
    if (a == null) {
      throw bad("it has no " + where + "; a storageState has it (an empty array when there is nothing)");
    }
    if (!a.isArray()) {
      throw bad(where + " is " + kind(a) + ", expected an array");
    }
    return a;
  }

  private String text(JsonNode parent, String field, String at, boolean required) {
    JsonNode t = parent.get(field);
    if (t == null && !required) {
      return null;
    }
    if (t == null || !t.isTextual()) {
      throw bad(at + "." + field + " is " + kind(t) + ", expected a string");
    }
    return t.asText();
  }

  private boolean bool(JsonNode parent, String field, String at) {
    JsonNode b = parent.get(field);
    if (b == null || !b.isBoolean()) {
      throw bad(at + "." + field + " is " + kind(b) + ", expected true or false");
    }
    return b.booleanValue();
  }

  /** Refuses any field outside {@code allowed}, naming it. */
  private void fields(JsonNode n, Set<String> allowed, String at) {
    for (Iterator<String> it = n.fieldNames(); it.hasNext();) {
      String f = it.next();
      if (!allowed.contains(f)) {
        throw bad("it has a field \"" + f + "\" at " + at + " that a storageState does not have there (allowed: "
            + String.join(", ", new java.util.TreeSet<>(allowed)) + ")");
      }
    }
  }

  private static String fieldNames(JsonNode n) {
    List<String> names = new ArrayList<>();
    n.fieldNames().forEachRemaining(names::add);
    return names.size() > 8 ? String.join(", ", names.subList(0, 8)) + ", ..." : String.join(", ", names);
  }

  private static String kind(JsonNode n) {
    if (n == null || n.isMissingNode()) {
      return "missing";
    }
    if (n.isObject()) {
      return "an object";
    }
    if (n.isArray()) {
      return "an array";
    }
    if (n.isTextual()) {
      return "a string";
    }
    if (n.isNumber()) {
      return "the number " + n.asText();
    }
    if (n.isBoolean()) {
      return n.asText();
    }
    return "null";
  }

  private SessionStateException bad(String what) {
    return new SessionStateException(source + " is not a valid Playwright storageState: " + what + ". "
        + StorageState.remedy());
  }
}
