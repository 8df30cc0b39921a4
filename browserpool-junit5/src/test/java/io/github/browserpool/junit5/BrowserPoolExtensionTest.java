package io.github.browserpool.junit5;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.platform.testkit.engine.EventConditions.engine;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.finishedSuccessfully;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.EventConditions.test;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.instanceOf;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

import com.github.kklisura.cdt.services.ChromeDevToolsService;
import io.github.browserpool.BrowserLease;
import io.github.browserpool.BrowserPool;
import io.github.browserpool.PoolClosedException;
import io.github.browserpool.test.LeakCheck;
import io.github.browserpool.test.Pages;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.platform.testkit.engine.EngineExecutionResults;

/** The extension against real Chromium, each case a test run of its own through EngineTestKit. */
@Tag("chromium")
class BrowserPoolExtensionTest {

  // ---- parameters resolve ------------------------------------------------------------------------

  static volatile BrowserPool pool1;
  static volatile BrowserPool pool2;
  static volatile BrowserLease leaseBefore;
  static volatile BrowserLease lease1;
  static volatile BrowserLease lease2;
  static volatile ChromeDevToolsService pageBefore;
  static volatile ChromeDevToolsService page1;
  static volatile String title;

  @ExtendWith(BrowserPoolExtension.class)
  @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
  static class ResolvesParameters {
    @BeforeEach
    void before(BrowserLease lease, ChromeDevToolsService page) {
      if (lease1 == null) {
        leaseBefore = lease;
        pageBefore = page;
      }
    }

    @Test
    @Order(1)
    void poolLeaseAndPage(BrowserPool pool, BrowserLease lease, ChromeDevToolsService page) {
      pool1 = pool;
      lease1 = lease;
      page1 = page;
      Pages.navigate(page, "data:text/html,<title>from a data URL</title><p>hi</p>");
      title = Pages.title(page);
    }

    @Test
    @Order(2)
    void anotherTest(BrowserPool pool, BrowserLease lease) {
      pool2 = pool;
      lease2 = lease;
    }
  }

  @Test
  void parametersResolveToOnePoolAFreshLeasePerTestAndAPageInIt() {
    EngineExecutionResults results = Runs.run(ResolvesParameters.class);

    results.testEvents().assertStatistics(s -> s.started(2).succeeded(2));
    results.allEvents().assertThatEvents().haveExactly(1, event(engine(), finishedSuccessfully()));
    assertThat(title).isEqualTo("from a data URL");
    assertThat(pool2).isSameAs(pool1);
    assertThat(lease1).isSameAs(leaseBefore).isNotSameAs(lease2);
    assertThat(page1).isSameAs(pageBefore);
    assertThat(lease1.isActive()).isFalse();
    assertThat(lease2.isActive()).isFalse();
    // The run is over: its pool was closed, and its private tempRoot was empty and is gone.
    assertThatThrownBy(() -> pool1.acquire()).isInstanceOf(PoolClosedException.class);
    assertThat(pool1.config().tempRoot()).doesNotExist();
  }

  // ---- a failing test still closes its lease -----------------------------------------------------

  static volatile BrowserLease failedLease;
  static volatile boolean failedLeaseWasActiveInTheNextTest;

  @ExtendWith(BrowserPoolExtension.class)
  @BrowserPoolSettings(maxBrowsers = 1, acquireTimeout = "PT20S")
  @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
  static class FailsWhileHoldingALease {
    @Test
    @Order(1)
    void fails(BrowserLease lease) {
      failedLease = lease;
      throw new AssertionError("deliberate failure");
    }

    @Test
    @Order(2)
    void theOnlyBrowserIsFreeAgain(BrowserLease lease) {
      failedLeaseWasActiveInTheNextTest = failedLease.isActive();
    }
  }

  @Test
  void aFailingTestStillClosesItsLease() {
    EngineExecutionResults results = Runs.run(FailsWhileHoldingALease.class);

    results.testEvents().assertThatEvents()
        .haveExactly(1, event(test("fails"), finishedWithFailure(message("deliberate failure"))))
        .haveExactly(1, event(test("theOnlyBrowserIsFreeAgain"), finishedSuccessfully()));
    assertThat(failedLeaseWasActiveInTheNextTest).isFalse();
    assertThat(failedLease.isActive()).isFalse();
    results.allEvents().assertThatEvents().haveExactly(1, event(engine(), finishedSuccessfully()));
  }

  // ---- settings ----------------------------------------------------------------------------------

  static volatile BrowserPool configured;

  @ExtendWith(BrowserPoolExtension.class)
  @BrowserPoolSettings(maxBrowsers = 2, poolName = "annotated", maxContextsPerBrowser = 3)
  static class Annotated {
    @Test
    void pool(BrowserPool pool) {
      configured = pool;
    }
  }

  @Test
  void theAnnotationWinsOverPropertiesAndPropertiesOverDefaults() {
    EngineExecutionResults results = Runs.run(Annotated.class, java.util.Map.of(
        "browserpool.maxBrowsers", "3",
        "browserpool.idleTimeout", "PT1M",
        "browserpool.capacityPolicy", "reject",
        "browserpool.maxContextsPerBrowser", "5"));

    results.testEvents().assertStatistics(s -> s.succeeded(1));
    assertThat(configured.config().maxBrowsers()).isEqualTo(2);
    assertThat(configured.config().maxContextsPerBrowser()).isEqualTo(3);
    assertThat(configured.name()).isEqualTo("annotated");
    assertThat(configured.config().idleTimeout()).isEqualTo(Duration.ofMinutes(1));
    assertThat(configured.config().capacityPolicy()).hasToString("REJECT");
  }

  @ExtendWith(BrowserPoolExtension.class)
  static class Plain {
    @Test
    void pool(BrowserPool pool) {
      configured = pool;
    }
  }

  @Test
  void aBadPropertyValueIsAnErrorNamingTheProperty() {
    EngineExecutionResults results = Runs.run(Plain.class, java.util.Map.of("browserpool.idleTimeout", "5min"));

    results.testEvents().assertThatEvents().haveExactly(1, event(test("pool"), finishedWithFailure(
        message(m -> m.contains("browserpool.idleTimeout=5min") && m.contains("ISO-8601 duration such as PT1M")))));
  }

  @Test
  void maxContextsPerBrowserComesFromPropertiesTooAndABadOneNamesIt() {
    Runs.run(Plain.class, java.util.Map.of("browserpool.maxContextsPerBrowser", "4"))
        .testEvents().assertStatistics(s -> s.succeeded(1));
    assertThat(configured.config().maxContextsPerBrowser()).isEqualTo(4);
    Runs.run(Plain.class, java.util.Map.of("browserpool.maxContextsPerBrowser", "65")).testEvents()
        .assertThatEvents().haveExactly(1, event(test("pool"), finishedWithFailure(message(m ->
            m.contains("browserpool.maxContextsPerBrowser=65") && m.contains("maxContextsPerBrowser")))));
  }

  @Test
  void aValueThePoolRejectsIsAnErrorNamingThePropertyAndWhy() {
    EngineExecutionResults results = Runs.run(Plain.class, java.util.Map.of("browserpool.maxBrowsers", "0"));

    results.testEvents().assertThatEvents().haveExactly(1, event(test("pool"), finishedWithFailure(
        message(m -> m.contains("browserpool.maxBrowsers=0") && m.contains("invalid maxBrowsers: 0")
            && m.contains("pass 1 or more")))));
  }

  @Test
  void aMisspeltPropertyIsAnErrorNamingItAndTheKnownOnes() {
    System.setProperty("browserpool.maxBrowser", "2");
    try {
      EngineExecutionResults results = Runs.run(Plain.class);

      results.testEvents().assertThatEvents().haveExactly(1, event(test("pool"), finishedWithFailure(
          message(m -> m.contains("unknown setting browserpool.maxBrowser ")
              && m.contains("browserpool.maxBrowsers")))));
    } finally {
      System.clearProperty("browserpool.maxBrowser");
    }
  }

  @ExtendWith(BrowserPoolExtension.class)
  @BrowserPoolSettings(maxBrowsers = 1, minIdle = 2)
  static class Contradictory {
    @Test
    void pool(BrowserPool pool) {}
  }

  @Test
  void settingsThatContradictEachOtherNameTheAnnotation() {
    EngineExecutionResults results = Runs.run(Contradictory.class);

    results.testEvents().assertThatEvents().haveExactly(1, event(test("pool"), finishedWithFailure(
        message(m -> m.contains("minIdle") && m.contains("@BrowserPoolSettings(maxBrowsers = 1) on "
            + Contradictory.class.getName())))));
  }

  // ---- registration through the ServiceLoader ----------------------------------------------------

  static class NotAnnotated {
    @Test
    void pool(BrowserPool pool) {
      configured = pool;
    }
  }

  @Test
  void withAutodetectionTheServiceLoaderEntryRegistersTheExtension() {
    configured = null;
    Runs.run(NotAnnotated.class, java.util.Map.of("junit.jupiter.extensions.autodetection.enabled", "true"))
        .testEvents().assertStatistics(s -> s.succeeded(1));
    assertThat(configured).isNotNull();

    // The control: without autodetection nothing resolves the parameter.
    Runs.run(NotAnnotated.class).testEvents().assertThatEvents().haveExactly(1,
        event(test("pool"), finishedWithFailure(message(m -> m.contains("No ParameterResolver registered")))));
  }

  // ---- the end-of-run leak check -----------------------------------------------------------------

  static volatile Path leakedDir;

  @ExtendWith(BrowserPoolExtension.class)
  static class LeaksADir {
    @Test
    void leaks(BrowserPool pool) throws Exception {
      leakedDir = java.nio.file.Files.createDirectory(pool.config().tempRoot().resolve("chromelambda-x"));
    }
  }

  @Test
  void aRunThatLeftAProfileDirFailsAtTheEndNamingIt() throws Exception {
    try {
      EngineExecutionResults results = Runs.run(LeaksADir.class);

      results.testEvents().assertStatistics(s -> s.succeeded(1));
      results.allEvents().assertThatEvents().haveExactly(1, event(engine(), finishedWithFailure(
          instanceOf(AssertionError.class),
          message(m -> m.contains("left processes or dirs behind") && m.contains(leakedDir.toString())))));
    } finally {
      LeakCheck.deleteTree(leakedDir.getParent());
    }
  }

  @Test
  void aGivenTempRootIsUsedAndWhatItHeldBeforeTheRunIsNotALeak() throws Exception {
    Path shared = java.nio.file.Files.createTempDirectory("junit5-shared-root-").toRealPath();
    try {
      java.nio.file.Files.createDirectory(shared.resolve("chromelambda-before-the-run"));

      EngineExecutionResults results = Runs.run(Plain.class, java.util.Map.of("browserpool.tempRoot", shared.toString()));

      results.testEvents().assertStatistics(s -> s.succeeded(1));
      results.allEvents().assertThatEvents().haveExactly(1, event(engine(), finishedSuccessfully()));
      assertThat(configured.config().tempRoot()).isEqualTo(shared);
      assertThat(shared.resolve("chromelambda-before-the-run")).as("not ours: kept").isDirectory();
    } finally {
      LeakCheck.deleteTree(shared);
    }
  }

  static volatile Process leakedProcess;

  @ExtendWith(BrowserPoolExtension.class)
  static class LeaksAProcess {
    @Test
    void leaks(BrowserPool pool) throws Exception {
      // "; true" keeps sh from exec'ing sleep, so sh's own command line keeps naming the tempRoot.
      leakedProcess = new ProcessBuilder("/bin/sh", "-c", "sleep 60; true", pool.config().tempRoot().toString())
          .start();
    }
  }

  @Test
  void aRunThatLeftAProcessFailsAtTheEndNamingIt() throws Exception {
    Path tempRoot = null;
    try {
      EngineExecutionResults results = Runs.run(LeaksAProcess.class);

      results.testEvents().assertStatistics(s -> s.succeeded(1));
      results.allEvents().assertThatEvents().haveExactly(1, event(engine(), finishedWithFailure(
          message(m -> m.contains("1 process(es)") && m.contains("pid " + leakedProcess.pid())))));
      tempRoot = Path.of(leakedProcess.info().arguments().orElseThrow()[2]);
    } finally {
      leakedProcess.destroyForcibly().waitFor();
      if (tempRoot != null) {
        LeakCheck.deleteTree(tempRoot);
      }
    }
  }
}
