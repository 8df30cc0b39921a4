package io.github.browserpool;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * The checks behind {@link PoolConfig.Builder}: each value as it is set, and the settings against each
 * other in {@link #validate} at {@code build()}. Each rejects with an {@link IllegalArgumentException}
 * whose message names the setting, the value, and what to pass instead.
 */
final class ConfigChecks {
  private ConfigChecks() {}

  /** Throws unless {@code ok}: "invalid NAME: VALUE. To fix it, ADVICE". */
  static void require(boolean ok, String name, Object value, String advice) {
    if (!ok) {
      throw new IllegalArgumentException(
          "invalid " + name + ": " + Objects.toString(value) + ". To fix it, " + advice);
    }
  }

  /** Returns {@code value} if it is a Duration greater than zero. */
  static Duration positive(String name, Duration value, String example) {
    require(value != null && !value.isNegative() && !value.isZero(), name, value,
        "pass a Duration greater than zero, e.g. " + example);
    return value;
  }

  /** Returns {@code value} if it is a Duration of zero or more. */
  static Duration nonNegative(String name, Duration value, String example) {
    require(value != null && !value.isNegative(), name, value,
        "pass zero or a positive Duration, e.g. " + example);
    return value;
  }

  static void poolName(String poolName) {
    require(poolName != null && !poolName.isBlank(), "poolName", poolName,
        "pass a short non-blank name such as \"scraper\"");
    require(poolName.chars().noneMatch(Character::isISOControl), "poolName", poolName,
        "pass a name without control characters");
  }

  static void chromeArgument(String a) {
    require(a != null && a.startsWith("--") && a.length() > 2 && a.chars().noneMatch(Character::isISOControl),
        "chromeArguments", a, "pass each argument as one string starting with \"--\", e.g. \"--lang=en-US\"");
  }

  /** Returns the Grid's address if it is an absolute http(s) URI with a host and no query or fragment, without a trailing slash. */
  static URI seleniumGrid(URI gridUrl) {
    String scheme = gridUrl == null ? null : gridUrl.getScheme();
    require(gridUrl != null && gridUrl.isAbsolute() && gridUrl.getHost() != null
            && ("http".equalsIgnoreCase(scheme) || "https".equalsIgnoreCase(scheme))
            && gridUrl.getQuery() == null && gridUrl.getFragment() == null,
        "seleniumGrid", gridUrl,
        "pass the Grid's http(s) address, e.g. URI.create(\"http://127.0.0.1:4444\")");
    String url = gridUrl.toString();
    return URI.create(url.endsWith("/") ? url.substring(0, url.length() - 1) : url);
  }

  static void gridCapabilities(Map<String, Object> capabilities) {
    require(capabilities != null, "gridCapabilities", null,
        "pass a map such as Map.of(\"platformName\", \"linux\")");
    for (Map.Entry<String, Object> e : capabilities.entrySet()) {
      require(e.getKey() != null && !e.getKey().isBlank(), "gridCapabilities", capabilities,
          "pass non-blank capability names");
      require(!e.getKey().equals(PoolConfig.GRID_OWNER_CAPABILITY), "gridCapabilities", capabilities,
          "leave out " + PoolConfig.GRID_OWNER_CAPABILITY + ": the pool sets it on every session to label its owner");
      require(isJson(e.getValue()), "gridCapabilities", capabilities,
          "pass values that are JSON: strings, numbers, booleans, lists or maps of those");
    }
  }

  private static boolean isJson(Object value) {
    try {
      new ObjectMapper().writeValueAsString(value);
      return true;
    } catch (Exception e) {
      return false;
    }
  }

  /** The settings against each other, as {@code build()} checks them (before any default is filled in). */
  static void validate(ConfigValues s) {
    if (s.minIdle > s.maxBrowsers) {
      throw new IllegalArgumentException("minIdle (" + s.minIdle + ") must not exceed maxBrowsers ("
          + s.maxBrowsers + "): lower minIdle or raise maxBrowsers");
    }
    if (s.seleniumGrid != null && s.chromeExecutable != null) {
      throw new IllegalArgumentException("chromeExecutable (" + s.chromeExecutable + ") does not apply"
          + " with seleniumGrid (" + s.seleniumGrid + "): the Grid's nodes choose their browser. Remove"
          + " chromeExecutable, or seleniumGrid to run Chromium locally.");
    }
    if (s.seleniumGrid != null && s.tempRoot != null) {
      throw new IllegalArgumentException("tempRoot (" + s.tempRoot + ") does not apply with seleniumGrid ("
          + s.seleniumGrid + "): Grid sessions keep their profiles on the nodes. Remove tempRoot, or"
          + " seleniumGrid to run Chromium locally.");
    }
    if (s.seleniumGrid == null && !s.gridCapabilities.isEmpty()) {
      throw new IllegalArgumentException("gridCapabilities apply only with seleniumGrid(...): set the"
          + " Grid's address too, or remove gridCapabilities.");
    }
  }
}
