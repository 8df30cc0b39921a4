package io.github.browserpool.bench;

import static io.github.browserpool.bench.Env.BP;
import static io.github.browserpool.bench.Env.LIMIT;
import static io.github.browserpool.bench.Env.BP_CHROMIUM;
import static io.github.browserpool.bench.Env.LIMIT_CHROMIUM;
import static io.github.browserpool.bench.Env.POOL2;
import static io.github.browserpool.bench.Env.PW;

import io.github.browserpool.BrowserBinary;
import io.github.browserpool.BrowserLease;
import io.github.browserpool.BrowserPool;
import io.github.browserpool.test.ProcessTable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.commons.pool2.impl.GenericObjectPool;

/**
 * Eight idle browsers of one contender, launched and ready: what measures "close" and "memory" look at.
 * {@link #closeAll()} is each contender's own way of closing them all; {@link #close()} makes sure they
 * are gone whatever happened.
 */
abstract class IdleEight implements AutoCloseable {
  static final int EIGHT = 8;

  /** A way to start eight idle browsers of one contender. */
  interface Start {
    IdleEight start() throws Exception;
  }

  /** Every contender that can hold eight idle browsers, by name. */
  static Map<String, Start> contenders(Env env) {
    Map<String, Start> c = new LinkedHashMap<>();
    c.put(LIMIT, () -> raw(env, BrowserBinary.HEADLESS_SHELL));
    c.put(LIMIT_CHROMIUM, () -> raw(env, BrowserBinary.CHROMIUM));
    c.put(POOL2, () -> pool2(env));
    c.put(PW, () -> playwright(env));
    c.put(BP, () -> browserpool(env, BrowserBinary.HEADLESS_SHELL));
    c.put(BP_CHROMIUM, () -> browserpool(env, BrowserBinary.CHROMIUM));
    return c;
  }

  /** The main process of each browser. */
  abstract List<Long> pids();

  /** The profile dir of each browser. */
  abstract List<Path> dirs();

  /** Closes all eight the contender's way; returns once its close call has. */
  abstract void closeAll() throws Exception;

  /** Makes sure all eight are gone, whether or not {@link #closeAll()} ran. */
  @Override
  public abstract void close();

  /** PSS outside the browsers' trees that they need (Playwright's Node.js driver), in kB. */
  long sharedPssKb() {
    return 0;
  }

  /** Each browser's process tree as it is now. */
  final List<Set<Long>> trees() {
    List<Set<Long>> trees = new ArrayList<>();
    for (int i = 0; i < EIGHT; i++) {
      trees.add(ProcessTable.tree(pids().get(i), dirs().get(i)));
    }
    return trees;
  }

  static IdleEight raw(Env env, BrowserBinary binary) throws Exception {
    List<RawChrome> raws = new ArrayList<>();
    IdleEight e = new IdleEight() {
      List<Long> pids() {
        return raws.stream().map(RawChrome::pid).toList();
      }

      List<Path> dirs() {
        return raws.stream().map(r -> r.dir).toList();
      }

      /** Browser.close over eight pipes in parallel. */
      void closeAll() {
        List<Set<Long>> trees = trees();
        List<AutoCloseable> closers = new ArrayList<>();
        for (int i = 0; i < EIGHT; i++) {
          RawChrome r = raws.get(i);
          Set<Long> t = trees.get(i);
          closers.add(() -> r.closeWith(t));
        }
        Procs.parallelClose(closers);
      }

      @Override
      public void close() {
        raws.forEach(RawChrome::close);
      }
    };
    try {
      for (int i = 0; i < EIGHT; i++) {
        raws.add(env.raw(binary));
      }
      return e;
    } catch (Exception | Error x) {
      e.close();
      throw x;
    }
  }

  static IdleEight pool2(Env env) throws Exception {
    GenericObjectPool<CdtBrowser> p2 = Pool2s.of(env, EIGHT);
    List<CdtBrowser> all = new ArrayList<>();
    IdleEight e = new IdleEight() {
      List<Long> pids() {
        return all.stream().map(b -> b.pid).toList();
      }

      List<Path> dirs() {
        return all.stream().map(b -> b.dir).toList();
      }

      /** pool.close(), which destroys one by one. */
      void closeAll() {
        p2.close();
      }

      @Override
      public void close() {
        p2.close();
      }
    };
    try {
      for (int i = 0; i < EIGHT; i++) {
        all.add(p2.borrowObject());
      }
      for (CdtBrowser b : all) {
        p2.returnObject(b);
      }
      return e;
    } catch (Exception | Error x) {
      e.close();
      throw x;
    }
  }

  static IdleEight playwright(Env env) {
    Pw pw = env.playwright();
    List<Pw.Launched> all = new ArrayList<>();
    IdleEight e = new IdleEight() {
      List<Long> pids() {
        return all.stream().map(l -> l.pid).toList();
      }

      List<Path> dirs() {
        return all.stream().map(l -> l.dir).toList();
      }

      @Override
      long sharedPssKb() {
        long driver = pw.driverPid();
        return driver > 0
            ? Procs.pssKb(ProcessTable.tree(driver, null)) - all.stream().mapToLong(l -> Procs.pssKb(l.tree())).sum()
            : 0;
      }

      /** browser.close() for each in turn. */
      void closeAll() {
        for (Pw.Launched l : all) {
          l.browser.close();
        }
      }

      @Override
      public void close() {
        pw.close();
      }
    };
    try {
      for (int i = 0; i < EIGHT; i++) {
        all.add(pw.launchTracked());
      }
      return e;
    } catch (RuntimeException | Error x) {
      e.close();
      throw x;
    }
  }

  /** A pool of eight browsers, launched by eight leases at once and all returned. */
  static IdleEight browserpool(Env env, BrowserBinary binary) throws Exception {
    BrowserPool bp = BrowserPool.start(env.pool(binary).maxBrowsers(EIGHT).build());
    List<Long> pids = new ArrayList<>();
    List<Path> dirs = new ArrayList<>();
    IdleEight e = new IdleEight() {
      List<Long> pids() {
        return pids;
      }

      List<Path> dirs() {
        return dirs;
      }

      void closeAll() {
        bp.close();
      }

      @Override
      public void close() {
        bp.close();
      }
    };
    ExecutorService ex = Executors.newFixedThreadPool(EIGHT);
    try {
      List<Future<BrowserLease>> fs = new ArrayList<>();
      for (int i = 0; i < EIGHT; i++) {
        fs.add(ex.submit(() -> bp.acquire()));
      }
      // All eight held at once, so that each lease gets a browser of its own; then all returned.
      List<BrowserLease> leases = new ArrayList<>();
      for (Future<BrowserLease> f : fs) {
        leases.add(f.get(5, TimeUnit.MINUTES));
      }
      for (BrowserLease l : leases) {
        pids.add(l.browserPid());
        dirs.add(l.userDataDir());
        l.close();
      }
      if (bp.stats().idle() != EIGHT) {
        throw new IllegalStateException("expected 8 idle browsers: " + bp.stats().summary());
      }
      return e;
    } catch (Exception | Error x) {
      e.close();
      throw x;
    } finally {
      ex.shutdown();
    }
  }
}
