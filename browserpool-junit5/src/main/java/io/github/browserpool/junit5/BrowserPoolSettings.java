package io.github.browserpool.junit5;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Pool settings for the test classes it annotates; each attribute that is set wins over the same
 * {@code browserpool.*} property of the JUnit configuration ({@code junit-platform.properties}, a
 * {@code -D} system property or the launcher). Unset attributes (the defaults below: -1 for numbers, ""
 * for the rest) fall back to the property, then to {@code PoolConfig}'s default.
 *
 * <p>Classes whose effective settings are equal share one pool for the whole run; a class with other
 * settings gets a pool of its own, also closed and leak-checked when the run ends. Durations are ISO-8601
 * ({@code "PT1M"}, {@code "PT30S"}).
 *
 * <pre>{@code
 * @ExtendWith(BrowserPoolExtension.class)
 * @BrowserPoolSettings(maxBrowsers = 2, acquireTimeout = "PT2M")
 * class CheckoutTest { ... }
 * }</pre>
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface BrowserPoolSettings {
  /** {@code PoolConfig.poolName}; default "junit5". */
  String poolName() default "";

  /** {@code PoolConfig.maxBrowsers}; -1 = unset. */
  int maxBrowsers() default -1;

  /** {@code PoolConfig.minIdle}; -1 = unset. */
  int minIdle() default -1;

  /** {@code PoolConfig.idleTimeout}, ISO-8601 such as "PT1M". */
  String idleTimeout() default "";

  /** {@code PoolConfig.acquireTimeout}, ISO-8601 such as "PT2M". */
  String acquireTimeout() default "";

  /** {@code PoolConfig.capacityPolicy}: WAIT, REJECT or EVICT_LRU. */
  String capacityPolicy() default "";

  /** {@code PoolConfig.tempRoot}; unset = a fresh private dir per pool, deleted at the end when empty. */
  String tempRoot() default "";

  /** {@code PoolConfig.chromeExecutable}; unset = discovered. */
  String chromeExecutable() default "";

  /** {@code PoolConfig.closeTimeout}, ISO-8601. */
  String closeTimeout() default "";

  /** {@code PoolConfig.launchTimeout}, ISO-8601. */
  String launchTimeout() default "";

  /** {@code PoolConfig.maxLifetime}, ISO-8601. */
  String maxLifetime() default "";

  /** {@code PoolConfig.maxLeasesPerBrowser}; -1 = unset. */
  int maxLeasesPerBrowser() default -1;

  /** {@code PoolConfig.maxContextsPerBrowser}; -1 = unset. */
  int maxContextsPerBrowser() default -1;

  /** {@code PoolConfig.evictionProtection}, ISO-8601. */
  String evictionProtection() default "";

  /** {@code PoolConfig.addChromeArguments}, each starting with "--"; empty = unset. */
  String[] chromeArguments() default {};

  /** {@code PoolConfig.noSandbox}: "true" or "false"; unset = automatic (only when running as root). */
  String noSandbox() default "";
}
