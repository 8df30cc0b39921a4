package io.github.browserpool.e2e;

import io.github.browserpool.test.LeakCheck;
import io.github.browserpool.test.Leftovers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives each end-to-end test its own {@code tempRoot} (inject it as a {@link Path} parameter) and,
 * after the test, fails it if any process still has a command line under that tempRoot, or any
 * {@code chromelambda-*} dir is left there (browserpool-test's {@link LeakCheck}, which reads /proc
 * itself). It never kills or deletes anything itself: cleaning up is
 * the library's job; the guard's job is to notice when it didn't.
 */
public final class LeakGuard implements BeforeEachCallback, AfterEachCallback, ParameterResolver {
  private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(LeakGuard.class);

  @Override
  public void beforeEach(ExtensionContext context) throws IOException {
    Path root = Files.createTempDirectory("bp-e2e-").toRealPath();
    context.getStore(NS).put("root", root);
  }

  @Override
  public boolean supportsParameter(ParameterContext p, ExtensionContext e) {
    return p.getParameter().getType() == Path.class;
  }

  @Override
  public Object resolveParameter(ParameterContext p, ExtensionContext e) throws ParameterResolutionException {
    return tempRoot(e);
  }

  /** The tempRoot of the current test. */
  public static Path tempRoot(ExtensionContext e) {
    return e.getStore(NS).get("root", Path.class);
  }

  @Override
  public void afterEach(ExtensionContext context) throws IOException {
    Path root = tempRoot(context);
    Leftovers left = LeakCheck.scan(root);
    if (!left.isEmpty()) {
      throw new AssertionError("left by the library: " + left);
    }
    // The test's own scratch root: empty of browser state, so removing it deletes nothing of the library's.
    try (var s = Files.walk(root)) {
      s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
