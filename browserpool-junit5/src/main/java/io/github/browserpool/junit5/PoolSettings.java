package io.github.browserpool.junit5;

import io.github.browserpool.CapacityPolicy;
import io.github.browserpool.PoolConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.Function;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;

/**
 * The effective pool settings of one test class: each {@link BrowserPoolSettings} attribute that is set,
 * else the {@code browserpool.*} configuration parameter, else PoolConfig's default. Every value is
 * checked when it is applied, and a bad one is an error that names where it came from.
 */
final class PoolSettings {
  static final String PREFIX = "browserpool.";
  static final String DEFAULT_POOL_NAME = "junit5";

  private static final String CONFIGURATION =
      "in the JUnit configuration (junit-platform.properties, a -D system property or the launcher)";

  /** One supported setting: its name (the property is PREFIX + name), how to parse it, what it sets. */
  private record Setting<T>(String name, String expected, Function<String, T> parse,
      BiConsumer<PoolConfig.Builder, T> apply) {
    void applyTo(PoolConfig.Builder builder, Value value) {
      T parsed;
      try {
        parsed = parse.apply(value.raw().trim());
      } catch (RuntimeException e) {
        throw value.invalid("pass " + expected);
      }
      try {
        apply.accept(builder, parsed);
      } catch (IllegalArgumentException e) {
        throw value.invalid(e.getMessage());
      }
    }
  }

  /** A raw value and where it came from. */
  private record Value(String name, String raw, String annotatedClass) {
    String origin() {
      return annotatedClass == null
          ? PREFIX + name + "=" + raw + " " + CONFIGURATION
          : "@BrowserPoolSettings(" + name + " = " + raw + ") on " + annotatedClass;
    }

    ParameterResolutionException invalid(String why) {
      return new ParameterResolutionException("browserpool-junit5: " + origin() + " is not valid: " + why);
    }
  }

  private static final String DURATION = "an ISO-8601 duration such as PT1M or PT30S";

  private static final List<Setting<?>> SETTINGS = List.of(
      new Setting<>("poolName", "a short non-blank name", s -> s, PoolConfig.Builder::poolName),
      new Setting<>("maxBrowsers", "a whole number such as 2", Integer::parseInt, PoolConfig.Builder::maxBrowsers),
      new Setting<>("minIdle", "a whole number such as 0", Integer::parseInt, PoolConfig.Builder::minIdle),
      new Setting<>("idleTimeout", DURATION, Duration::parse, PoolConfig.Builder::idleTimeout),
      new Setting<>("acquireTimeout", DURATION, Duration::parse, PoolConfig.Builder::acquireTimeout),
      new Setting<>("capacityPolicy", "WAIT, REJECT or EVICT_LRU",
          s -> CapacityPolicy.valueOf(s.toUpperCase(Locale.ROOT)), PoolConfig.Builder::capacityPolicy),
      new Setting<>("tempRoot", "a directory path", Path::of, PoolConfig.Builder::tempRoot),
      new Setting<>("chromeExecutable", "the path of a Chromium binary such as /usr/bin/chromium",
          Path::of, PoolConfig.Builder::chromeExecutable),
      new Setting<>("closeTimeout", DURATION, Duration::parse, PoolConfig.Builder::closeTimeout),
      new Setting<>("launchTimeout", DURATION, Duration::parse, PoolConfig.Builder::launchTimeout),
      new Setting<>("maxLifetime", DURATION, Duration::parse, PoolConfig.Builder::maxLifetime),
      new Setting<>("maxLeasesPerBrowser", "a whole number such as 1000", Integer::parseInt,
          PoolConfig.Builder::maxLeasesPerBrowser),
      new Setting<>("maxContextsPerBrowser", "a whole number from 1 to 64", Integer::parseInt,
          PoolConfig.Builder::maxContextsPerBrowser),
      new Setting<>("evictionProtection", DURATION, Duration::parse, PoolConfig.Builder::evictionProtection),
      new Setting<>("chromeArguments", "Chromium flags separated by spaces, each starting with --",
          s -> s.isEmpty() ? new String[0] : s.split("\\s+"), PoolConfig.Builder::addChromeArguments),
      new Setting<>("noSandbox", "true or false", PoolSettings::parseBoolean, PoolConfig.Builder::noSandbox));

  /** Setting name to value, in the order of SETTINGS; only the settings that were given. */
  private final Map<String, Value> values;

  private PoolSettings(Map<String, Value> values) {
    this.values = values;
  }

  /** The settings for the test class of {@code context} (its annotation, else the configuration). */
  static PoolSettings of(ExtensionContext context) {
    Optional<Class<?>> testClass = context.getTestClass();
    BrowserPoolSettings annotation = null;
    String annotatedClass = null;
    // The nearest annotation wins: the class (or a superclass, it is @Inherited), then enclosing classes.
    for (Class<?> c = testClass.orElse(null); c != null && annotation == null; c = c.getEnclosingClass()) {
      annotation = c.getAnnotation(BrowserPoolSettings.class);
      annotatedClass = c.getName();
    }
    Map<String, String> fromAnnotation = annotation == null ? Map.of() : fromAnnotation(annotation);
    Map<String, Value> values = new LinkedHashMap<>();
    for (Setting<?> s : SETTINGS) {
      String a = fromAnnotation.get(s.name());
      if (a != null) {
        values.put(s.name(), new Value(s.name(), a, annotatedClass));
      } else {
        context.getConfigurationParameter(PREFIX + s.name())
            .ifPresent(raw -> values.put(s.name(), new Value(s.name(), raw, null)));
      }
    }
    return new PoolSettings(values);
  }

  private static Map<String, String> fromAnnotation(BrowserPoolSettings a) {
    Map<String, String> m = new LinkedHashMap<>();
    putIfSet(m, "poolName", a.poolName());
    putIfSet(m, "maxBrowsers", a.maxBrowsers());
    putIfSet(m, "minIdle", a.minIdle());
    putIfSet(m, "idleTimeout", a.idleTimeout());
    putIfSet(m, "acquireTimeout", a.acquireTimeout());
    putIfSet(m, "capacityPolicy", a.capacityPolicy());
    putIfSet(m, "tempRoot", a.tempRoot());
    putIfSet(m, "chromeExecutable", a.chromeExecutable());
    putIfSet(m, "closeTimeout", a.closeTimeout());
    putIfSet(m, "launchTimeout", a.launchTimeout());
    putIfSet(m, "maxLifetime", a.maxLifetime());
    putIfSet(m, "maxLeasesPerBrowser", a.maxLeasesPerBrowser());
    putIfSet(m, "maxContextsPerBrowser", a.maxContextsPerBrowser());
    putIfSet(m, "evictionProtection", a.evictionProtection());
    if (a.chromeArguments().length > 0) {
      m.put("chromeArguments", String.join(" ", a.chromeArguments()));
    }
    putIfSet(m, "noSandbox", a.noSandbox());
    return m;
  }

  private static void putIfSet(Map<String, String> m, String name, String value) {
    if (!value.isEmpty()) {
      m.put(name, value);
    }
  }

  private static void putIfSet(Map<String, String> m, String name, int value) {
    if (value != -1) {
      m.put(name, Integer.toString(value));
    }
  }

  private static boolean parseBoolean(String s) {
    if (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false")) {
      return Boolean.parseBoolean(s);
    }
    throw new IllegalArgumentException(s);
  }

  /**
   * Fails on a {@code browserpool.*} key that names no setting, in a {@code junit-platform.properties} on
   * the class path or in the system properties (keys given to the launcher directly cannot be listed).
   *
   * @throws ParameterResolutionException naming the unknown key and the known ones
   */
  static void rejectUnknownKeys() {
    List<String> keys = new ArrayList<>();
    System.getProperties().stringPropertyNames().forEach(keys::add);
    try {
      ClassLoader loader = Thread.currentThread().getContextClassLoader();
      var resources = (loader != null ? loader : PoolSettings.class.getClassLoader())
          .getResources("junit-platform.properties");
      while (resources.hasMoreElements()) {
        java.util.Properties properties = new java.util.Properties();
        try (var in = resources.nextElement().openStream()) {
          properties.load(in);
        }
        keys.addAll(properties.stringPropertyNames());
      }
    } catch (java.io.IOException e) {
      // Unreadable: JUnit itself will complain about it; there is nothing more to check here.
    }
    List<String> known = SETTINGS.stream().map(Setting::name).toList();
    for (String key : keys) {
      if (key.startsWith(PREFIX) && !known.contains(key.substring(PREFIX.length()))) {
        throw new ParameterResolutionException("browserpool-junit5: unknown setting " + key
            + " (in junit-platform.properties or a -D system property). To fix it, use one of "
            + PREFIX + String.join(", " + PREFIX, known));
      }
    }
  }

  /** Classes whose keys are equal share one pool: the given settings, by name and raw value. */
  String key() {
    List<String> parts = new ArrayList<>();
    values.forEach((name, v) -> parts.add(name + "=" + v.raw().trim()));
    return String.join(", ", parts);
  }

  /** The tempRoot that was given, or null for a fresh private one. */
  String tempRootOrNull() {
    Value v = values.get("tempRoot");
    return v == null ? null : v.raw().trim();
  }

  /**
   * A builder with every given setting applied, the pool name defaulting to "junit5" and the tempRoot
   * to {@code defaultTempRoot} when not given.
   *
   * @throws ParameterResolutionException naming the property or annotation of a value that is not valid
   */
  PoolConfig.Builder builder(Path defaultTempRoot) {
    PoolConfig.Builder builder = PoolConfig.builder().poolName(DEFAULT_POOL_NAME);
    if (defaultTempRoot != null) {
      builder.tempRoot(defaultTempRoot);
    }
    for (Setting<?> s : SETTINGS) {
      Value v = values.get(s.name());
      if (v != null) {
        s.applyTo(builder, v);
      }
    }
    return builder;
  }

  /**
   * Builds the config, or fails naming every given value when the settings contradict each other.
   *
   * @throws ParameterResolutionException when a value or a combination is not valid
   */
  PoolConfig build(Path defaultTempRoot) {
    PoolConfig.Builder builder = builder(defaultTempRoot);
    try {
      return builder.build();
    } catch (IllegalArgumentException | IllegalStateException e) {
      List<String> origins = values.values().stream().map(Value::origin).toList();
      throw new ParameterResolutionException("browserpool-junit5: the pool settings do not fit together: "
          + e.getMessage() + " (given: " + (origins.isEmpty() ? "nothing" : String.join("; ", origins)) + ")");
    }
  }

  @Override
  public String toString() {
    return key().isEmpty() ? "(defaults)" : key();
  }
}
