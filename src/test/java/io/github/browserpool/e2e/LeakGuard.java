package io.github.browserpool.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives each end-to-end test its own {@code tempRoot} (inject it as a {@link Path} parameter) and,
 * after the test, fails it if any process still has a command line under that tempRoot, or any
 * {@code chromelambda-*} dir is left there. It never kills or deletes anything itself: cleaning up is
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
    List<Procs.Proc> procs = Procs.referencing(root);
    List<Path> dirs = Procs.profileDirs(root);
    if (!procs.isEmpty() || !dirs.isEmpty()) {
      throw new AssertionError("leak under " + root + ": " + procs.size() + " process(es), "
          + dirs.size() + " chromelambda dir(s) left by the library\n  "
          + procs.stream().map(Object::toString).collect(Collectors.joining("\n  "))
          + (dirs.isEmpty() ? "" : "\n  " + dirs.stream().map(Path::toString).collect(Collectors.joining("\n  "))));
    }
    // The test's own scratch root: empty of browser state, so removing it deletes nothing of the library's.
    try (var s = Files.walk(root)) {
      s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
