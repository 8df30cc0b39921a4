package io.github.browserpool.pool;

import io.github.browserpool.BrowserInfo;
import io.github.browserpool.BrowserPoolException;
import io.github.browserpool.BrowserPoolMXBean;
import io.github.browserpool.PoolStats;
import java.lang.management.ManagementFactory;
import javax.management.InstanceAlreadyExistsException;
import javax.management.InstanceNotFoundException;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;
import org.slf4j.LoggerFactory;

/**
 * The pool's MXBean and its registration. It holds the engine, never the public pool handle, so a
 * registered but unclosed pool can still be collected and cleaned.
 */
public final class PoolJmx implements BrowserPoolMXBean {
  private final PoolEngine engine;
  private final ObjectName name;

  private PoolJmx(PoolEngine engine, ObjectName name) {
    this.engine = engine;
    this.name = name;
  }

  /** {@code io.github.browserpool:type=BrowserPool,name=<poolName>}, the name quoted if it must be. */
  public static ObjectName objectName(String poolName) {
    try {
      ObjectName plain = new ObjectName("io.github.browserpool:type=BrowserPool,name=" + poolName);
      if (!plain.isPattern() && poolName.equals(plain.getKeyProperty("name"))
          && plain.getKeyPropertyList().size() == 2) {
        return plain;
      }
    } catch (MalformedObjectNameException e) {
      // quoted below
    }
    try {
      return new ObjectName("io.github.browserpool:type=BrowserPool,name=" + ObjectName.quote(poolName));
    } catch (MalformedObjectNameException e) {
      throw new IllegalArgumentException("poolName " + poolName + " cannot name an MBean", e);
    }
  }

  /**
   * Registers the engine's MXBean with the platform MBean server.
   *
   * @throws BrowserPoolException when an MBean of that name exists: another pool uses the poolName
   */
  static PoolJmx register(PoolEngine engine) {
    String poolName = engine.config().poolName();
    PoolJmx bean = new PoolJmx(engine, objectName(poolName));
    try {
      ManagementFactory.getPlatformMBeanServer().registerMBean(bean, bean.name);
    } catch (InstanceAlreadyExistsException e) {
      throw new BrowserPoolException(engine.prefix() + "cannot register the MBean " + bean.name
          + ": another pool in this JVM already registered one under the poolName \"" + poolName
          + "\". Pick a unique poolName for each pool (PoolConfig.builder().poolName(...)), or turn"
          + " registerMBean off for one of them. Nothing was started.", e);
    } catch (JMException e) {
      throw new BrowserPoolException(engine.prefix() + "cannot register the MBean " + bean.name + ": " + e
          + ". Nothing was started.", e);
    }
    return bean;
  }

  void unregister() {
    MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    try {
      server.unregisterMBean(name);
    } catch (InstanceNotFoundException e) {
      // already gone
    } catch (JMException e) {
      throw new IllegalStateException(engine.prefix() + "cannot unregister the MBean " + name, e);
    }
  }

  public ObjectName name() {
    return name;
  }

  private PoolStats stats() {
    return engine.stats();
  }

  @Override
  public String getPoolName() {
    return engine.config().poolName();
  }

  @Override
  public int getTotalBrowsers() {
    return stats().total();
  }

  @Override
  public int getIdleBrowsers() {
    return stats().idle();
  }

  @Override
  public int getStartingBrowsers() {
    return stats().starting();
  }

  @Override
  public int getActiveLeases() {
    return stats().activeLeases();
  }

  @Override
  public int getThreadsAwaitingBrowser() {
    return stats().waiting();
  }

  @Override
  public long getLaunched() {
    return stats().launched();
  }

  @Override
  public long getLaunchFailures() {
    return stats().launchFailures();
  }

  @Override
  public long getClosedBrowsers() {
    return stats().closed();
  }

  @Override
  public long getForcedKills() {
    return stats().forcedKills();
  }

  @Override
  public long getLeasesRevoked() {
    return stats().leasesRevoked();
  }

  @Override
  public long getBrowserMemoryBytes() {
    return engine.browsers().stream().mapToLong(BrowserInfo::memoryBytes).sum();
  }

  @Override
  public boolean isSuspended() {
    return engine.isSuspended();
  }

  @Override
  public void softEvictBrowsers() {
    engine.softEvict();
  }

  @Override
  public void suspendPool() {
    engine.suspend();
  }

  @Override
  public void resumePool() {
    engine.resume();
  }

  /** Unregisters {@code bean} (null: nothing), logging a failure instead of throwing it. */
  static void unregisterQuietly(PoolJmx bean, String prefix) {
    if (bean == null) {
      return;
    }
    try {
      bean.unregister();
    } catch (RuntimeException e) {
      LoggerFactory.getLogger(PoolEngine.class).warn("{}{}", prefix, e.getMessage(), e);
    }
  }
}
