package io.github.browserpool.junit5;

import com.github.kklisura.cdt.services.ChromeDevToolsService;
import io.github.browserpool.BrowserLease;
import io.github.browserpool.BrowserPool;
import io.github.browserpool.PoolConfig;
import io.github.browserpool.test.LeakCheck;
import io.github.browserpool.test.Leftovers;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ExtensionContext.Namespace;
import org.junit.jupiter.api.extension.ExtensionContext.Store.CloseableResource;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives tests a {@link BrowserPool}, a {@link BrowserLease} and a page ({@link ChromeDevToolsService}) as
 * parameters, and checks at the end of the run that the pool left nothing behind.
 *
 * <ul>
 *   <li>{@code BrowserPool}: one pool for the whole test run (per distinct settings, see
 *       {@link BrowserPoolSettings}), kept in the root store and closed when the run ends.
 *   <li>{@code BrowserLease}: a fresh lease for each test (shared by its {@code @BeforeEach},
 *       {@code @Test} and {@code @AfterEach} methods), closed after the test, also when it fails.
 *   <li>{@code ChromeDevToolsService}: a page in that test's lease (the same page for all of the
 *       test's methods), closed with the lease.
 * </ul>
 *
 * <p>Settings come from the {@code browserpool.*} configuration parameters ({@code junit-platform.properties}
 * or {@code -D}) or from {@link BrowserPoolSettings} on the class, which wins. Without a
 * {@code browserpool.tempRoot}, each pool gets a private tempRoot, deleted at the end when empty.
 *
 * <p>When the run ends the pool is closed and {@link LeakCheck} (which reads {@code /proc} itself) looks
 * for processes that name the pool's tempRoot and {@code chromelambda-*} dirs in it that were not there
 * when the pool started. If it finds any, the close throws an {@link AssertionError} naming them, which
 * the JUnit Platform reports as a failure of the whole run (the engine), and the same text is logged at
 * ERROR. The extension never kills or deletes anything that was left: it is there to be inspected.
 *
 * <p>Register it with {@code @ExtendWith(BrowserPoolExtension.class)}, or for every test class through
 * the ServiceLoader entry this jar ships, with {@code junit.jupiter.extensions.autodetection.enabled=true}.
 */
public final class BrowserPoolExtension implements ParameterResolver {
  private static final Logger LOG = LoggerFactory.getLogger(BrowserPoolExtension.class);
  private static final Namespace NAMESPACE = Namespace.create(BrowserPoolExtension.class);

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    Class<?> type = parameter.getParameter().getType();
    return type == BrowserPool.class || type == BrowserLease.class || type == ChromeDevToolsService.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    Class<?> type = parameter.getParameter().getType();
    if (type == BrowserPool.class) {
      return pool(context);
    }
    LeaseResource lease = lease(context);
    return type == BrowserLease.class ? lease.lease : lease.page();
  }

  /**
   * The run-wide pool for the settings of {@code context}'s test class, started on first use.
   *
   * @throws ParameterResolutionException when a setting is not valid
   * @throws io.github.browserpool.BrowserLaunchException when the pool cannot start, as from {@link
   *     BrowserPool#start}
   */
  public static BrowserPool pool(ExtensionContext context) {
    PoolSettings.rejectUnknownKeys();
    PoolSettings settings = PoolSettings.of(context);
    if (settings.tempRootOrNull() != null) {
      settings.build(null); // fail with the setting's name before anything is created
    } else {
      settings.build(Path.of(System.getProperty("java.io.tmpdir")));
    }
    ExtensionContext.Store root = context.getRoot().getStore(NAMESPACE);
    return root.getOrComputeIfAbsent("pool[" + settings.key() + "]", k -> RunPool.start(settings), RunPool.class)
        .pool;
  }

  private static LeaseResource lease(ExtensionContext context) {
    BrowserPool pool = pool(context);
    return context.getStore(NAMESPACE)
        .getOrComputeIfAbsent(LeaseResource.class, k -> new LeaseResource(pool.acquire()), LeaseResource.class);
  }

  /** A pool for the whole run; closing it (when the run ends) checks that it left nothing behind. */
  static final class RunPool implements CloseableResource {
    final BrowserPool pool;
    private final Path tempRoot;
    private final boolean ownTempRoot;
    private final Leftovers baseline;

    private RunPool(BrowserPool pool, Path tempRoot, boolean ownTempRoot, Leftovers baseline) {
      this.pool = pool;
      this.tempRoot = tempRoot;
      this.ownTempRoot = ownTempRoot;
      this.baseline = baseline;
    }

    static RunPool start(PoolSettings settings) {
      boolean own = settings.tempRootOrNull() == null;
      Path tempRoot;
      try {
        tempRoot = own
            ? Files.createTempDirectory("browserpool-junit5-").toRealPath()
            : Path.of(settings.tempRootOrNull()).toAbsolutePath().normalize();
      } catch (IOException e) {
        throw new UncheckedIOException("browserpool-junit5: cannot create a tempRoot in java.io.tmpdir", e);
      }
      // What a shared tempRoot already holds is not this pool's doing.
      Leftovers baseline = LeakCheck.scan(tempRoot);
      PoolConfig config = settings.build(tempRoot);
      BrowserPool pool;
      try {
        pool = BrowserPool.start(config);
      } catch (RuntimeException e) {
        deleteIfEmpty(own, tempRoot);
        throw e;
      }
      LOG.info("[{}] started for the test run (settings: {}), tempRoot {}", config.poolName(), settings, tempRoot);
      return new RunPool(pool, tempRoot, own, baseline);
    }

    /**
     * Closes the pool and fails when it left a process or a dir.
     *
     * @throws AssertionError naming what was left
     */
    @Override
    public void close() {
      pool.close();
      Leftovers left = LeakCheck.scan(tempRoot).since(baseline);
      if (!left.isEmpty()) {
        String message = "[" + pool.name() + "] browserpool-junit5: the pool left processes or dirs behind"
            + " when the test run ended; nothing was killed or deleted, so they can be inspected. " + left;
        LOG.error(message);
        throw new AssertionError(message);
      }
      deleteIfEmpty(ownTempRoot, tempRoot);
      LOG.info("[{}] closed at the end of the test run; nothing left under {}", pool.name(), tempRoot);
    }

    private static void deleteIfEmpty(boolean own, Path tempRoot) {
      if (!own) {
        return;
      }
      try {
        Files.deleteIfExists(tempRoot);
      } catch (DirectoryNotEmptyException e) {
        LOG.warn("browserpool-junit5: kept the tempRoot {}: something other than a profile dir is in it", tempRoot);
      } catch (IOException e) {
        LOG.warn("browserpool-junit5: cannot delete the tempRoot {}: {}", tempRoot, e.toString());
      }
    }
  }

  /** One test's lease and its page, closed with the test's store, also when the test failed. */
  static final class LeaseResource implements CloseableResource {
    final BrowserLease lease;
    private ChromeDevToolsService page;

    LeaseResource(BrowserLease lease) {
      this.lease = lease;
    }

    synchronized ChromeDevToolsService page() {
      if (page == null) {
        page = lease.newPage();
      }
      return page;
    }

    @Override
    public void close() {
      lease.close();
    }
  }
}
