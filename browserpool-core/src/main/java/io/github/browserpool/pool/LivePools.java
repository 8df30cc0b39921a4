package io.github.browserpool.pool;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The JVM-wide set of open pool engines, closed by one shutdown hook. It holds engines, never the
 * public pool handles, so an unclosed pool can still be collected and cleaned.
 */
public final class LivePools {
  private static final Set<PoolEngine> LIVE = ConcurrentHashMap.newKeySet();
  private static volatile boolean hookInstalled;

  private LivePools() {}

  public static void register(PoolEngine engine) {
    installHook();
    LIVE.add(engine);
  }

  public static void unregister(PoolEngine engine) {
    LIVE.remove(engine);
  }

  /** Whether the shutdown hook closes {@code engine}. */
  public static boolean isRegistered(PoolEngine engine) {
    return LIVE.contains(engine);
  }

  private static synchronized void installHook() {
    if (hookInstalled) {
      return;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(LivePools::closeAll, "browserpool-shutdown"));
    hookInstalled = true;
  }

  private static void closeAll() {
    List<CompletableFuture<Void>> closing = new ArrayList<>();
    for (PoolEngine e : LIVE) {
      closing.add(CompletableFuture.runAsync(e::close));
    }
    CompletableFuture.allOf(closing.toArray(new CompletableFuture[0])).join();
  }
}
