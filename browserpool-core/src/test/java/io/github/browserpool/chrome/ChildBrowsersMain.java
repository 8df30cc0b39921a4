package io.github.browserpool.chrome;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Main class for child-JVM tests: spawns N browsers on tempRoot, checks each answers CDP, prints
 * "BROWSER pid dir" per browser, "TREE pids..." for every process of their trees, then "READY", and sleeps.
 */
public final class ChildBrowsersMain {
  private ChildBrowsersMain() {}

  public static void main(String[] args) throws Exception {
    Path tempRoot = Path.of(args[0]);
    int count = Integer.parseInt(args[1]);
    List<ChromeProcess> browsers = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      ChromeProcess b = ChromeProcess.spawn(LaunchSpec.builder().ownerName("child-" + i).tempRoot(tempRoot).build());
      browsers.add(b);
      RawCdp.call(b, 1, "Browser.getVersion", Duration.ofSeconds(20));
      System.out.println("BROWSER " + b.pid() + " " + b.userDataDir());
    }
    StringBuilder tree = new StringBuilder("TREE");
    for (ChromeProcess b : browsers) {
      tree.append(' ').append(b.pid());
      ProcessHandle.of(b.pid()).ifPresent(h -> h.descendants().forEach(d -> tree.append(' ').append(d.pid())));
    }
    for (long p : ProcFs.referencing(tempRoot.toRealPath().toString())) {
      tree.append(' ').append(p);
    }
    System.out.println(tree);
    System.out.println("READY");
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE);
  }
}
