package io.github.browserpool.pool;

import com.github.kklisura.cdt.services.ChromeDevToolsService;
import io.github.browserpool.BrowserLaunchException;
import io.github.browserpool.CloseReason;
import io.github.browserpool.cdp.CallGuard;
import io.github.browserpool.spi.BrowserLauncher;
import io.github.browserpool.spi.LaunchedBrowser;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** A launcher of in-memory browsers that records what the engine did with them. */
public final class FakeLauncher implements BrowserLauncher {
  public final List<FakeBrowser> launched = new CopyOnWriteArrayList<>();
  private final AtomicInteger pids = new AtomicInteger(1000);
  public volatile RuntimeException failNext;
  /** Thrown (once) by the next launch, for paths that must survive an Error. */
  public volatile Error errorNext;
  public volatile boolean nextCloseForced;
  /** Every browser launched from now on is dead at its first openContext. */
  public volatile boolean launchDead;
  /** When set, openContext(isolated, timeout) reports that no context was ready in time. */
  public volatile boolean contextNotReady;
  /** While set, every close() waits (up to 30 s) until it is counted down: closes that take their time. */
  public volatile java.util.concurrent.CountDownLatch closeGate;
  /** Runs inside the next close() of any browser (once), to act while the engine is mid-pass. */
  public volatile Runnable onNextClose;
  /** What {@link #failureReportGrace()} answers: zero, like a local launcher, unless a test sets it. */
  public volatile java.time.Duration failureReportGrace = java.time.Duration.ZERO;
  /**
   * Browsers launched from now on are remote, as Grid sessions are: no PID (-1), no profile dir, and an
   * id of their own ({@code session-<n>}).
   */
  public volatile boolean remote;
  /** Whether each browser records the contexts it opened (tests read them; a benchmark must not grow a list). */
  private final boolean recordContexts;

  /** A launcher whose browsers record what the engine did with them. */
  public FakeLauncher() {
    this(true);
  }

  /** @param recordContexts false for a benchmark: nothing grows with the number of leases */
  public FakeLauncher(boolean recordContexts) {
    this.recordContexts = recordContexts;
  }

  @Override
  public LaunchedBrowser launch(BrowserEvents events) {
    RuntimeException f = failNext;
    if (f != null) {
      failNext = null;
      throw f;
    }
    Error err = errorNext;
    if (err != null) {
      errorNext = null;
      throw err;
    }
    FakeBrowser b = new FakeBrowser(pids.incrementAndGet(), events, remote);
    b.dead = launchDead;
    launched.add(b);
    return b;
  }

  @Override
  public java.time.Duration failureReportGrace() {
    return failureReportGrace;
  }

  public FakeBrowser byPid(long pid) {
    return launched.stream().filter(b -> b.pid == pid).findFirst().orElseThrow();
  }

  public long alive() {
    return launched.stream().filter(b -> b.closedWith == null).count();
  }

  public static BrowserLaunchException launchFailure() {
    return new BrowserLaunchException("fake launch failure");
  }

  /** One fake browser. */
  public final class FakeBrowser implements LaunchedBrowser {
    public final long pid;
    public final BrowserEvents events;
    public volatile CloseReason closedWith;
    public final AtomicInteger closeCalls = new AtomicInteger();
    public final List<Boolean> contexts = new CopyOnWriteArrayList<>();
    /** The contexts it opened, for tests of their storage state (empty when contexts are not recorded). */
    public final List<FakeContext> opened = new CopyOnWriteArrayList<>();
    /** Runs on each context it opens from now on, before the engine gets it (to make it fail, say). */
    public volatile java.util.function.Consumer<FakeContext> contextHook;
    public volatile int releasedContexts;
    public volatile boolean dead;
    public volatile boolean resetFails;
    /** Alive but stopped (SIGSTOP): it cannot open a context, and its process has not exited. */
    public volatile boolean stopped;
    /** The PIDs of its process tree as treePids() reports them; just its own PID unless a test sets more. */
    public volatile java.util.Set<Long> tree;
    /** Remote (see {@link FakeLauncher#remote}): -1 as its PID, no dir, {@code session-<pid>} as its id. */
    private final boolean isRemote;

    FakeBrowser(long pid, BrowserEvents events, boolean remote) {
      this.pid = pid;
      this.events = events;
      this.isRemote = remote;
    }

    @Override
    public long pid() {
      return isRemote ? -1 : pid;
    }

    @Override
    public String browserId() {
      return isRemote ? "session-" + pid : LaunchedBrowser.super.browserId();
    }

    @Override
    public java.util.Set<Long> treePids() {
      java.util.Set<Long> t = tree;
      return t != null ? t : java.util.Set.of(pid);
    }

    @Override
    public Path userDataDir() {
      return isRemote ? null : Path.of("/fake/chromelambda-" + pid);
    }

    @Override
    public LeaseContext openContext(boolean isolated, java.time.Duration timeout) {
      if (contextNotReady && !dead) {
        throw new NotReadyInTimeException("fake browser " + pid + " had no context ready within " + timeout);
      }
      return openContext(isolated);
    }

    @Override
    public LeaseContext openContext(boolean isolated) {
      if (dead) {
        throw new IllegalStateException("fake browser " + pid + " is dead");
      }
      if (stopped) {
        throw new IllegalStateException("fake browser " + pid + " is stopped and cannot answer CDP");
      }
      FakeContext c = new FakeContext(isolated);
      java.util.function.Consumer<FakeContext> hook = contextHook;
      if (hook != null) {
        hook.accept(c);
      }
      if (recordContexts) {
        contexts.add(isolated);
        opened.add(c);
      }
      return c;
    }

    @Override
    public boolean exited() {
      return dead;
    }

    /**
     * One lease's context, with an in-memory storage state (the JSON the last restore wrote, or what a
     * test set), so that collecting and restoring states can be watched. Collect and restore fail while
     * the browser is dead, or when a test says so.
     */
    public final class FakeContext implements LeaseContext {
      public static final String EMPTY = "{\"cookies\":[],\"origins\":[]}";
      public final boolean isolated;
      /** The context's state as JSON; empty until restored or set. */
      public volatile String state = EMPTY;
      public volatile boolean released;
      public volatile RuntimeException collectFails;
      public volatile RuntimeException restoreFails;
      public final AtomicInteger restores = new AtomicInteger();
      public final AtomicInteger collects = new AtomicInteger();
      /** Held as the real context holds its pages, so reachability tests see the same graph. */
      private final List<ChromeDevToolsService> pages = new CopyOnWriteArrayList<>();

      FakeContext(boolean isolated) {
        this.isolated = isolated;
      }

      @Override
      public ChromeDevToolsService newPage(CallGuard guard) {
        guard.beforeCall();
        ChromeDevToolsService page = newFakePage(guard);
        pages.add(page);
        return page;
      }

      private ChromeDevToolsService newFakePage(CallGuard guard) {
        return (ChromeDevToolsService) Proxy.newProxyInstance(
            ChromeDevToolsService.class.getClassLoader(),
            new Class<?>[] {ChromeDevToolsService.class},
            (proxy, method, args) -> {
              guard.beforeCall();
              if (dead) {
                throw guard.translate(new io.github.browserpool.CdpConnectionClosedException("pipe closed"));
              }
              return null;
            });
      }

      @Override
      public boolean release() {
        pages.clear();
        released = true;
        releasedContexts++;
        return !resetFails;
      }

      @Override
      public String collectStorageState(java.time.Duration timeout) {
        collects.incrementAndGet();
        checkUsable();
        RuntimeException f = collectFails;
        if (f != null) {
          throw f;
        }
        return state;
      }

      @Override
      public void restoreStorageState(io.github.browserpool.session.StorageState s, java.time.Duration timeout) {
        restores.incrementAndGet();
        checkUsable();
        RuntimeException f = restoreFails;
        if (f != null) {
          throw f;
        }
        state = s.toJson();
      }

      private void checkUsable() {
        if (dead || released) {
          throw new IllegalStateException("fake browser " + pid + (dead ? " is dead" : ": the context was disposed"));
        }
      }
    }

    /** Simulates the process dying on its own. */
    public void crash() {
      dead = true;
      events.exitedUnexpectedly();
    }

    @Override
    public CloseResult close(CloseReason reason) {
      Runnable hook = onNextClose;
      onNextClose = null;
      if (hook != null) {
        hook.run();
      }
      java.util.concurrent.CountDownLatch gate = closeGate;
      if (gate != null) {
        try {
          gate.await(30, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      if (closeCalls.incrementAndGet() == 1) {
        closedWith = reason;
      }
      dead = true;
      return new CloseResult(nextCloseForced, true);
    }
  }
}
