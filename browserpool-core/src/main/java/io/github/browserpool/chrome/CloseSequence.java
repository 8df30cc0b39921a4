package io.github.browserpool.chrome;

import io.github.browserpool.CloseReason;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One close of one browser, within its single budget (the rules are in {@link CloseBudget}): the tree
 * captured by a pass over /proc, {@code Browser.close}, SIGTERM, then SIGKILL, each step waiting for the
 * tree to settle; then the wrappers' exit, the pipes and the dir's deletion. What is still dying when the
 * budget ends is left to a background finisher. Used once, by {@link ChromeProcess#terminate}.
 */
final class CloseSequence {
  // Logs as ChromeProcess did before the close was its own class, so the logger names users set stay valid.
  private static final Logger LOG = LoggerFactory.getLogger(ChromeProcess.class);
  /**
   * Full passes over /proc per close: the capture at the start, then one rescan each time the known
   * tree is seen dead (to catch a helper born during the close), at most this many in all.
   */
  static final int MAX_SCANS = 4;

  private final ChromeProcess browser;
  private final ProcessTree tree;
  private final String prefix;
  private final Path dir;
  /** The tree seen so far: every PID captured by a pass over /proc. */
  private final Set<Long> captured = new LinkedHashSet<>();
  private int scansLeft = MAX_SCANS;
  /** Whether the last rescan found nothing alive that was not known: the tree is verified dead. */
  private boolean confirmed;

  CloseSequence(ChromeProcess browser, ProcessTree tree, String prefix) {
    this.browser = browser;
    this.tree = tree;
    this.prefix = prefix;
    this.dir = browser.userDataDir();
  }

  /** Runs the close; see {@link ChromeProcess#terminate} for what each argument means. */
  CloseOutcome run(CloseReason reason, Supplier<CompletableFuture<?>> graceful, Executor sender,
      Duration gracefulTimeout, Duration budget) {
    CloseBudget b = CloseBudget.startingAt(System.nanoTime(), gracefulTimeout, budget);
    long start = b.start();
    scan();
    CloseOutcome.Step step = CloseOutcome.Step.ALREADY_DEAD;
    boolean forced = false;
    boolean dead = !tree.anyAlive(captured);
    confirmed = dead; // the capture itself was the pass that saw nothing alive
    boolean stopped = tree.isMainStopped();
    if (!dead) {
      step = CloseOutcome.Step.GRACEFUL;
      if (graceful != null && !stopped && tree.isMainAlive()) {
        sendGracefully(graceful, sender);
        dead = settle(b.gracefulEnd(), false);
      }
    }
    if (!dead && !stopped) {
      LOG.debug("{}pid {}: graceful step over after {} ms; alive: {}", prefix, pid(), ms(start),
          tree.describeAlive(captured));
      step = CloseOutcome.Step.SIGTERM;
      // The main process first (the tree lists it first), then its helpers: on a loaded machine, waiting
      // for Chromium to end its helpers itself costs the rest of the budget. Zombies are no concern here:
      // as PID 1 the tree runs under tini, which reaps whatever order they die in.
      tree.signal(captured, false);
      dead = settle(b.termEnd(), false);
    }
    long end = b.deadline();
    if (!dead) {
      LOG.debug("{}pid {}: SIGKILL after {} ms; alive: {}", prefix, pid(), ms(start), tree.describeAlive(captured));
      step = CloseOutcome.Step.SIGKILL;
      forced = true;
      tree.signal(captured, true); // SIGKILL works on stopped processes too
      end = b.killEnd();
      dead = settle(end, true);
    }
    boolean verified = dead && (confirmed || !tree.anyAlive(captured));
    if (!confirmed && verified) {
      LOG.warn("{}pid {}: helpers kept being born during the close; {} passes over /proc did not see the"
          + " tree settle", prefix, pid(), MAX_SCANS);
    }
    LOG.debug("{}pid {}: tree dead={} after {} ms, {} passes over /proc left", prefix, pid(), dead, ms(start), scansLeft);
    verified = verified && tree.awaitWrappers(end);
    browser.stderrTail(); // keep the tail for error messages once the dir is gone
    browser.closePipes();
    boolean deleted = verified && ProfileDirs.deleteWithRetries(prefix, dir, end);
    if (!verified || !deleted) {
      finishLater(reason);
    } else {
      browser.releaseMarker();
    }
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    String how = step == CloseOutcome.Step.GRACEFUL ? "Browser.close" : step.name();
    if (!verified || !deleted) {
      LOG.warn("{}closing browser pid {} (reason {}) ran out of time after {} ms by {}: tree dead={}, dir"
          + " deleted={} ({}); finishing in the background for up to {} s", prefix, pid(), reason,
          took.toMillis(), how, verified, deleted, dir, CloseBudget.FINISH_LIMIT.toSeconds());
    } else if (forced) {
      LOG.warn("{}closed browser pid {} (reason {}) in {} ms by {} (forced kill{}); dir deleted",
          prefix, pid(), reason, took.toMillis(), how, stopped ? ", it was stopped" : "");
    } else {
      LOG.info("{}closed browser pid {} (reason {}) in {} ms by {}; dir deleted",
          prefix, pid(), reason, took.toMillis(), how);
    }
    return new CloseOutcome(reason, step, took, forced, verified, deleted);
  }

  /** One full pass over /proc; returns the PIDs it added to the tree. */
  private Set<Long> scan() {
    scansLeft--;
    Set<Long> fresh = new LinkedHashSet<>();
    for (long p : tree.scan()) {
      if (captured.add(p)) {
        fresh.add(p);
      }
    }
    return fresh;
  }

  /**
   * Waits until the tree is dead or {@code until}; each time it is seen dead, rescans once (while
   * passes are left) for processes born since, waits for them too, and SIGKILLs them when
   * {@code killNew}. Returns whether the tree is dead.
   */
  private boolean settle(long until, boolean killNew) {
    while (true) {
      tree.waitDead(captured, until);
      if (tree.anyAlive(captured)) {
        return false;
      }
      if (scansLeft <= 0) {
        return true;
      }
      Set<Long> fresh = scan();
      if (fresh.isEmpty()) {
        confirmed = true;
        return true;
      }
      if (killNew) {
        tree.signal(fresh, true);
      }
    }
  }

  /**
   * The tree was SIGKILLed but still dying (or a wrapper still running, or the dir not yet deleted) when
   * the close's time ran out: waits for it on a daemon thread for up to {@link CloseBudget#FINISH_LIMIT},
   * then deletes the dir, so that nothing is left while this JVM lives. Logged at WARN when done, ERROR
   * when it gives up.
   */
  private void finishLater(CloseReason reason) {
    Thread t = new Thread(() -> {
      long start = System.nanoTime();
      long until = CloseBudget.finisherEnd(start);
      tree.signal(captured, true);
      tree.waitDead(captured, until);
      boolean dead = !tree.anyAlive(captured);
      if (dead) {
        Set<Long> late = tree.scanLate();
        tree.signal(late, true);
        tree.waitDead(late, until);
        dead = !tree.anyAlive(late);
      }
      boolean wrappersGone = tree.awaitWrappers(until);
      browser.closePipes();
      boolean deleted = dead && wrappersGone && ProfileDirs.deleteWithRetries(prefix, dir, until);
      browser.releaseMarker();
      if (deleted) {
        LOG.warn("{}browser pid {} (reason {}): its SIGKILLed tree died {} ms after its close returned;"
            + " dir deleted", prefix, pid(), reason, ms(start));
      } else {
        LOG.error("{}browser pid {} (reason {}): tree still alive or dir not deleted {} ms after its close"
            + " returned: dead={}, dir {}", prefix, pid(), reason, ms(start), dead, dir);
      }
    }, "browserpool-close-finisher");
    t.setDaemon(true);
    t.start();
  }

  /** Runs the graceful step on {@code sender}: sending may block behind a write stuck on a full pipe. */
  private void sendGracefully(Supplier<CompletableFuture<?>> graceful, Executor sender) {
    try {
      sender.execute(() -> {
        try {
          graceful.get();
        } catch (RuntimeException e) {
          LOG.debug("{}graceful close of pid {} failed to send: {}", prefix, pid(), e.toString());
        }
      });
    } catch (RejectedExecutionException e) {
      LOG.debug("{}graceful close of pid {} not sent: {}", prefix, pid(), e.toString());
    }
  }

  private long pid() {
    return tree.mainPid();
  }

  private static long ms(long since) {
    return (System.nanoTime() - since) / 1_000_000;
  }
}
