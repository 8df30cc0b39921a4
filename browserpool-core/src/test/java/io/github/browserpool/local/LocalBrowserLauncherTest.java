package io.github.browserpool.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.browserpool.BrowserLaunchException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The checks LocalBrowserLauncher.create makes before any launch, with the paths it probes injected. */
class LocalBrowserLauncherTest {
  @TempDir Path tmp;

  @Test
  void withoutProcTheStartFailsAtOnceSayingLinuxOnly() {
    Path noProc = tmp.resolve("proc/self/stat");

    assertThatThrownBy(() -> LocalBrowserLauncher.requireLinux("p", noProc, LocalBrowserLauncher.SHELL))
        .isInstanceOf(BrowserLaunchException.class)
        .hasMessageContaining("[p] browserpool runs on Linux only")
        .hasMessageContaining(noProc + " is missing")
        .hasMessageContaining("with /proc mounted");
  }

  @Test
  void withoutShTheStartFailsAtOnceSayingLinuxOnly() throws Exception {
    Path notExecutable = Files.createFile(tmp.resolve("sh"),
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));

    assertThatThrownBy(() -> LocalBrowserLauncher.requireLinux("p", LocalBrowserLauncher.PROC_SELF_STAT, tmp.resolve("none")))
        .isInstanceOf(BrowserLaunchException.class)
        .hasMessageContaining("[p] browserpool runs on Linux only")
        .hasMessageContaining(tmp.resolve("none") + " is missing or not executable");
    assertThatThrownBy(() -> LocalBrowserLauncher.requireLinux("p", LocalBrowserLauncher.PROC_SELF_STAT, notExecutable))
        .isInstanceOf(BrowserLaunchException.class)
        .hasMessageContaining(notExecutable + " is missing or not executable");
  }

  @Test
  void onThisLinuxTheProbePasses() {
    LocalBrowserLauncher.requireLinux("p", LocalBrowserLauncher.PROC_SELF_STAT, LocalBrowserLauncher.SHELL);
  }

  @Test
  void tiniIsUsedOnlyAsPid1AndOnlyWhenInstalled() throws Exception {
    Path tini = Files.createFile(tmp.resolve("tini"),
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    Path missing = tmp.resolve("missing-tini");

    assertThat(LocalBrowserLauncher.subreaperFor("p", 1, List.of(missing, tini))).isEqualTo(tini);
    assertThat(LocalBrowserLauncher.subreaperFor("p", 1, List.of(missing))).isNull();
    assertThat(LocalBrowserLauncher.subreaperFor("p", 4242, List.of(tini))).isNull();
  }
}
