package io.github.browserpool;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.kklisura.cdt.services.ChromeDevToolsService;
import io.github.browserpool.chrome.ProcFs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The whole stack against real Chromium: launch, a typed CDP call, close, nothing left. */
class ChromiumSmokeTest {
  @TempDir Path tempRoot;

  @Test
  void leaseNavigatesAndEverythingIsGoneAfterClose() throws Exception {
    long pid;
    Path dir;
    try (BrowserPool pool = BrowserPool.start(PoolConfig.builder().poolName("smoke").tempRoot(tempRoot).build())) {
      try (BrowserLease lease = pool.acquire()) {
        pid = lease.browserPid();
        dir = lease.userDataDir();
        assertThat(dir.getParent()).isEqualTo(tempRoot.toAbsolutePath().normalize());
        assertThat(dir.getFileName().toString()).startsWith("chromelambda-");
        ChromeDevToolsService page = lease.newPage();
        page.getPage().navigate("data:text/html,<title>hello pool</title>");
        Object title = null;
        for (int i = 0; i < 200 && !"hello pool".equals(title); i++) {
          title = page.getRuntime().evaluate("document.title").getResult().getValue();
        }
        assertThat(title).isEqualTo("hello pool");
      }
      assertThat(pool.stats().idle()).isEqualTo(1);
    }
    assertThat(ProcFs.isAlive(pid)).isFalse();
    assertThat(ProcFs.referencing(tempRoot.toString())).isEmpty();
    assertThat(Files.exists(dir)).isFalse();
    try (Stream<Path> s = Files.list(tempRoot)) {
      assertThat(s.filter(p -> p.getFileName().toString().startsWith("chromelambda-"))).isEmpty();
    }
  }
}
