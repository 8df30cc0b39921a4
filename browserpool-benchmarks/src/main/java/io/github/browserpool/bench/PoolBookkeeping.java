package io.github.browserpool.bench;

import com.github.kklisura.cdt.services.ChromeDevToolsService;
import io.github.browserpool.CloseReason;
import io.github.browserpool.PoolConfig;
import io.github.browserpool.cdp.CallGuard;
import io.github.browserpool.pool.BrowserLauncher;
import io.github.browserpool.pool.LeaseState;
import io.github.browserpool.pool.LaunchedBrowser;
import io.github.browserpool.pool.PoolEngine;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
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
 * Pool bookkeeping alone, no browser: browserpool's engine over an in-memory launcher (acquire + release)
 * against Commons Pool2 (borrow + return) of a trivial object.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class PoolBookkeeping {

  /** A browser that is only an object: no process, contexts that do nothing. */
  static final class InMemoryLauncher implements BrowserLauncher {
    private final AtomicLong pids = new AtomicLong(1_000_000);

    @Override
    public LaunchedBrowser launch(BrowserEvents events) {
      long pid = pids.incrementAndGet();
      return new LaunchedBrowser() {
        @Override
        public long pid() {
          return pid;
        }

        @Override
        public Path userDataDir() {
          return Path.of("/nonexistent/chromelambda-" + pid);
        }

        @Override
        public LeaseContext openContext(boolean isolated) {
          return new LeaseContext() {
            @Override
            public ChromeDevToolsService newPage(CallGuard guard) {
              throw new UnsupportedOperationException("no pages in the bookkeeping benchmark");
            }

            @Override
            public boolean release() {
              return true;
            }
          };
        }

        @Override
        public CloseResult close(CloseReason reason) {
          return new CloseResult(false, true);
        }
      };
    }
  }

  @State(Scope.Benchmark)
  public static class Engine {
    PoolEngine engine;

    @Setup(Level.Trial)
    public void setUp() {
      PoolConfig config = PoolConfig.builder().poolName("jmh").maxBrowsers(8)
          .maxLeasesPerBrowser(Integer.MAX_VALUE).build();
      engine = new PoolEngine(config, new InMemoryLauncher(), true);
      engine.start();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      engine.close();
    }
  }

  /** The same engine with captureAcquireSite(true): every acquire records its stack. */
  @State(Scope.Benchmark)
  public static class EngineWithSite {
    PoolEngine engine;

    @Setup(Level.Trial)
    public void setUp() {
      PoolConfig config = PoolConfig.builder().poolName("jmh-site").maxBrowsers(8)
          .maxLeasesPerBrowser(Integer.MAX_VALUE).captureAcquireSite(true).build();
      engine = new PoolEngine(config, new InMemoryLauncher(), true);
      engine.start();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      engine.close();
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
    LeaseState lease = s.engine.acquire(null);
    lease.close();
    return lease;
  }

  /** As browserpool_1thread, with captureAcquireSite(true). */
  @Benchmark
  @Threads(1)
  public Object browserpool_site_1thread(EngineWithSite s) {
    LeaseState lease = s.engine.acquire(null);
    lease.close();
    return lease;
  }

  @Benchmark
  @Threads(1)
  public Object pool2_1thread(Pool2 s) throws Exception {
    Object o = s.pool.borrowObject();
    s.pool.returnObject(o);
    return o;
  }

  @Benchmark
  @Threads(4)
  public Object browserpool_4threads(Engine s) {
    LeaseState lease = s.engine.acquire(null);
    lease.close();
    return lease;
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
    Object o = s.pool.borrowObject();
    s.pool.returnObject(o);
    return o;
  }
}
