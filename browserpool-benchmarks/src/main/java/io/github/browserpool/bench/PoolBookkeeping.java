package io.github.browserpool.bench;

import io.github.browserpool.BrowserLease;
import io.github.browserpool.BrowserPool;
import io.github.browserpool.FakePools;
import io.github.browserpool.PoolConfig;
import java.util.concurrent.TimeUnit;
import org.apache.commons.pool2.BasePooledObjectFactory;
import org.apache.commons.pool2.PooledObject;
import org.apache.commons.pool2.impl.DefaultPooledObject;
import org.apache.commons.pool2.impl.GenericObjectPool;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;

/**
 * Pool bookkeeping alone, no browser: a {@link BrowserPool} over core's in-memory fake browsers (the
 * test fixture {@link FakePools}; acquire + close of a {@link BrowserLease}, through the public API)
 * against Commons Pool2 (borrow + return) of a trivial object.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class PoolBookkeeping {

  @State(Scope.Benchmark)
  public static class Engine {
    BrowserPool pool;

    PoolConfig.Builder config() {
      return PoolConfig.builder().poolName("jmh").maxBrowsers(8).maxLeasesPerBrowser(Integer.MAX_VALUE)
          .registerMBean(false);
    }

    @Setup(Level.Trial)
    public void setUp() {
      pool = FakePools.start(config().build());
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      pool.close();
    }
  }

  /** The same pool with captureAcquireSite(true): every acquire records its stack. */
  @State(Scope.Benchmark)
  public static class EngineWithSite extends Engine {
    @Override
    PoolConfig.Builder config() {
      return super.config().poolName("jmh-site").captureAcquireSite(true);
    }
  }

  @State(Scope.Benchmark)
  public static class Pool2 {
    GenericObjectPool<Object> pool;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
      GenericObjectPoolConfig<Object> c = new GenericObjectPoolConfig<>();
      c.setMaxTotal(8);
      c.setMaxIdle(8);
      c.setJmxEnabled(false);
      pool = new GenericObjectPool<>(new BasePooledObjectFactory<Object>() {
        @Override
        public Object create() {
          return new Object();
        }

        @Override
        public PooledObject<Object> wrap(Object o) {
          return new DefaultPooledObject<>(o);
        }
      }, c);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      pool.close();
    }
  }

  @Benchmark
  @Threads(1)
  public Object browserpool_1thread(Engine s) {
    return acquireAndClose(s.pool);
  }

  /** As browserpool_1thread, with captureAcquireSite(true). */
  @Benchmark
  @Threads(1)
  public Object browserpool_site_1thread(EngineWithSite s) {
    return acquireAndClose(s.pool);
  }

  @Benchmark
  @Threads(1)
  public Object pool2_1thread(Pool2 s) throws Exception {
    return borrowAndReturn(s.pool);
  }

  @Benchmark
  @Threads(4)
  public Object browserpool_4threads(Engine s) {
    return acquireAndClose(s.pool);
  }

  /** Baseline: the acquire-site stack capture that captureAcquireSite(true) adds to every acquire, alone. */
  @Benchmark
  @Threads(1)
  public Object throwable_capture() {
    return new Throwable("the lease was acquired here");
  }

  @Benchmark
  @Threads(4)
  public Object pool2_4threads(Pool2 s) throws Exception {
    return borrowAndReturn(s.pool);
  }

  /** One lease: acquire and close; returns the lease for the blackhole. */
  private static Object acquireAndClose(BrowserPool pool) {
    BrowserLease lease = pool.acquire();
    lease.close();
    return lease;
  }

  /** One borrow and return; returns the object for the blackhole. */
  private static Object borrowAndReturn(GenericObjectPool<Object> pool) throws Exception {
    Object o = pool.borrowObject();
    pool.returnObject(o);
    return o;
  }
}
