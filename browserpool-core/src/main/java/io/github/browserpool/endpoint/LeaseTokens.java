package io.github.browserpool.endpoint;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The endpoint's tokens: 160 bits from {@link SecureRandom} each, one per lease. A token is looked up by
 * its SHA-256 digest and then compared with {@link MessageDigest#isEqual} (constant time), so neither the
 * map nor the comparison leaks how much of a guess was right. A removed token is dead for good.
 */
final class LeaseTokens<T> {
  static final int TOKEN_BYTES = 20;

  private final SecureRandom random = new SecureRandom();
  private final Map<String, Entry<T>> byDigest = new ConcurrentHashMap<>();

  private record Entry<T>(byte[] digest, T value) {}

  /** Makes a new token (URL-safe base64, 27 characters) and stores the value made for it. */
  T issue(Function<String, T> valueForToken) {
    while (true) {
      byte[] raw = new byte[TOKEN_BYTES];
      random.nextBytes(raw);
      String token = Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
      byte[] digest = digest(token);
      String key = key(digest);
      if (!byDigest.containsKey(key)) {
        T value = valueForToken.apply(token);
        if (byDigest.putIfAbsent(key, new Entry<>(digest, value)) == null) {
          return value;
        }
      }
    }
  }

  /** Every live value. */
  List<T> values() {
    return byDigest.values().stream().map(Entry::value).toList();
  }

  /** The value of a live token, or null for an unknown, malformed or removed one. */
  T find(String candidate) {
    if (candidate == null || candidate.isEmpty() || candidate.length() > 64) {
      return null;
    }
    byte[] digest = digest(candidate);
    Entry<T> entry = byDigest.get(key(digest));
    return entry != null && MessageDigest.isEqual(entry.digest(), digest) ? entry.value() : null;
  }

  /** Kills a token; later lookups of it find nothing. */
  void remove(String token) {
    byDigest.remove(key(digest(token)));
  }

  int size() {
    return byDigest.size();
  }

  private static String key(byte[] digest) {
    return Base64.getEncoder().encodeToString(digest);
  }

  private static byte[] digest(String token) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
