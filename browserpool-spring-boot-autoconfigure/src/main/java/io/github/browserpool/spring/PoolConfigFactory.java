package io.github.browserpool.spring;

import io.github.browserpool.PoolConfig;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.springframework.core.env.Environment;
import org.springframework.util.unit.DataSize;

/**
 * Turns {@link BrowserPoolProperties} into a {@link PoolConfig.Builder}, one setter per property that is
 * set. {@code PoolConfig} checks each value; its {@link IllegalArgumentException} names the setting, and
 * is rethrown as an {@link InvalidBrowserPoolPropertyException} that names the property instead.
 */
final class PoolConfigFactory {
  /** Each PoolConfig setting's property, as PoolConfig's messages name the setting. */
  private final Map<String, String> propertyOf = new LinkedHashMap<>();
  private final Environment environment;

  PoolConfigFactory(Environment environment) {
    this.environment = environment;
  }

  PoolConfig.Builder builder(BrowserPoolProperties p, boolean jmxEnabled) {
    PoolConfig.Builder b = PoolConfig.builder();
    set("poolName", "pool-name", p.getPoolName(), b::poolName);
    set("maxBrowsers", "max-browsers", p.getMaxBrowsers(), b::maxBrowsers);
    set("minIdle", "min-idle", p.getMinIdle(), b::minIdle);
    set("idleTimeout", "idle-timeout", p.getIdleTimeout(), b::idleTimeout);
    set("acquireTimeout", "acquire-timeout", p.getAcquireTimeout(), b::acquireTimeout);
    set("capacityPolicy", "capacity-policy", p.getCapacityPolicy(), b::capacityPolicy);
    set("tempRoot", "temp-root", p.getTempRoot(), b::tempRoot);
    set("chromeExecutable", "chrome-executable", p.getChromeExecutable(), b::chromeExecutable);
    set("closeTimeout", "close-timeout", p.getCloseTimeout(), b::closeTimeout);
    set("launchTimeout", "launch-timeout", p.getLaunchTimeout(), b::launchTimeout);
    set("maxLifetime", "max-lifetime", p.getMaxLifetime(), b::maxLifetime);
    set("maxLeasesPerBrowser", "max-leases-per-browser", p.getMaxLeasesPerBrowser(), b::maxLeasesPerBrowser);
    set("maxContextsPerBrowser", "max-contexts-per-browser", p.getMaxContextsPerBrowser(),
        b::maxContextsPerBrowser);
    set("evictionProtection", "eviction-protection", p.getEvictionProtection(), b::evictionProtection);
    set("callTimeout", "call-timeout", p.getCallTimeout(), b::callTimeout);
    List<String> args = p.getChromeArguments();
    set("chromeArguments", "chrome-arguments", args == null || args.isEmpty() ? null : args,
        a -> b.addChromeArguments(a.toArray(String[]::new)));
    set("noSandbox", "no-sandbox", p.getNoSandbox(), b::noSandbox);
    set("maxBrowserMemory", "max-browser-memory", p.getMaxBrowserMemory(),
        (DataSize size) -> b.maxBrowserMemory(size.toBytes()));
    set("seleniumGrid", "selenium-grid", p.getSeleniumGrid(), b::seleniumGrid);
    Boolean mbean = p.getRegisterMbean() != null ? p.getRegisterMbean() : Boolean.valueOf(jmxEnabled);
    set("registerMBean", "register-mbean", mbean, b::registerMBean);
    set("captureAcquireSite", "capture-acquire-site", p.getCaptureAcquireSite(), b::captureAcquireSite);
    propertyOf.put("gridCapabilities", null); // set with a BrowserPoolCustomizer: no property
    return b;
  }

  /**
   * Builds the config. A check across settings (minIdle above maxBrowsers, chromeExecutable with
   * seleniumGrid) names the first setting in its message: the property reported is that one's.
   */
  PoolConfig build(PoolConfig.Builder b) {
    try {
      return b.build();
    } catch (IllegalArgumentException e) {
      String message = e.getMessage() == null ? "" : e.getMessage();
      for (Map.Entry<String, String> setting : propertyOf.entrySet()) {
        if (setting.getValue() != null && message.startsWith(setting.getKey() + " ")) {
          String property = setting.getValue();
          throw new InvalidBrowserPoolPropertyException(property, raw(property, null), e);
        }
      }
      throw e;
    }
  }

  private <T> void set(String setting, String name, T value, Consumer<T> setter) {
    String property = "browserpool." + name;
    propertyOf.put(setting, property);
    if (value == null) {
      return; // PoolConfig's default
    }
    try {
      setter.accept(value);
    } catch (IllegalArgumentException e) {
      throw new InvalidBrowserPoolPropertyException(property, raw(property, value), e);
    }
  }

  /** The value as the user wrote it (environment variables and relaxed names included), else as bound. */
  private String raw(String property, Object bound) {
    String written = environment.getProperty(property);
    return written != null ? written : String.valueOf(bound);
  }
}
