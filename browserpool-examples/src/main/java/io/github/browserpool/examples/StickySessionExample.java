package io.github.browserpool.examples;

import com.github.kklisura.cdt.services.ChromeDevToolsService;
import io.github.browserpool.BrowserLease;
import io.github.browserpool.BrowserPool;
import io.github.browserpool.BrowserPoolException;
import io.github.browserpool.PoolConfig;
import io.github.browserpool.SessionStore;
import io.github.browserpool.test.LeakCheck;
import io.github.browserpool.test.Pages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Keyed leases keep a user's login, even across browsers: with a {@link SessionStore}, log in once with
 * {@code pool.acquire("alice")} and close the lease (its cookies and storage are saved to the store); a
 * later {@code pool.acquire("alice")} gets a fresh context with that state restored, and is still logged
 * in, although the pool here retires each browser after one lease ({@code maxLeasesPerBrowser(1)}), so it
 * runs in another browser. An anonymous {@code pool.acquire()} works in a fresh, empty context and is not.
 */
public final class StickySessionExample {
  private StickySessionExample() {}

  /**
   * What each visit of {@code /account} showed, and how many logins the site saw.
   *
   * @param afterLogin the greeting right after logging in, in the first "alice" lease
   * @param aliceLater the greeting in a later "alice" lease, without logging in again
   * @param anonymous the greeting in an anonymous lease
   * @param logins how many times the site saw a login
   * @param aliceInNewBrowser whether the later "alice" lease ran in another browser process than the first
   */
  public record Outcome(String afterLogin, String aliceLater, String anonymous, int logins, boolean aliceInNewBrowser) {}

  /**
   * The pool the example runs on: its keyed sessions kept in memory, and each browser retired after one
   * lease, so that the login has to outlive its browser.
   */
  public static PoolConfig.Builder config(Path tempRoot) {
    return PoolConfig.builder()
        .poolName("sticky")
        .maxBrowsers(2)
        .maxLeasesPerBrowser(1)
        .sessionStore(SessionStore.inMemory())
        .tempRoot(tempRoot);
  }

  /** Logs in as alice in one keyed lease, then visits the account page in a second keyed lease and in an anonymous one. */
  public static Outcome run(BrowserPool pool, LoginSite site) {
    String afterLogin;
    long firstPid;
    try (BrowserLease lease = pool.acquire("alice")) {
      firstPid = lease.browserPid();
      ChromeDevToolsService page = lease.newPage();
      Pages.navigate(page, site.url("/login"));
      Pages.evaluate(page, "document.querySelector('input[name=user]').value = 'alice'");
      // Submitting navigates (POST /login -> 303 -> /account): wait for the account page to load.
      Pages.waitForLoad(page, () -> Pages.evaluate(page, "document.querySelector('button[type=submit]').click()"));
      afterLogin = Pages.text(page, "#greeting");
    } // alice's state (her session cookie) is saved to the store; the browser retires

    String aliceLater;
    long laterPid;
    try (BrowserLease lease = pool.acquire("alice")) {
      laterPid = lease.browserPid();
      aliceLater = accountGreeting(lease, site);
    }

    String anonymous;
    try (BrowserLease lease = pool.acquire()) {
      anonymous = accountGreeting(lease, site);
    }
    return new Outcome(afterLogin, aliceLater, anonymous, site.logins(), firstPid != laterPid);
  }

  /** Opens a page in {@code lease}, visits {@code /account} and returns the greeting it shows. */
  private static String accountGreeting(BrowserLease lease, LoginSite site) {
    ChromeDevToolsService page = lease.newPage();
    Pages.navigate(page, site.url("/account"));
    return Pages.text(page, "#greeting");
  }

  public static void main(String[] args) {
    int exitCode = 1;
    try {
      Path tempRoot = Files.createTempDirectory("browserpool-sticky-").toRealPath();
      Outcome outcome;
      try (LoginSite site = LoginSite.start();
          BrowserPool pool = BrowserPool.start(config(tempRoot).build())) {
        outcome = run(pool, site);
      } finally {
        List<String> leftovers = LeakCheck.verifyAndDelete(tempRoot);
        leftovers.forEach(p -> System.out.println("left behind: " + p));
        if (!leftovers.isEmpty()) {
          throw new IllegalStateException(leftovers.size() + " things left behind");
        }
      }
      System.out.println("alice, right after logging in:   " + outcome.afterLogin());
      System.out.println("alice, in a later lease:          " + outcome.aliceLater()
          + (outcome.aliceInNewBrowser() ? "  (in a new browser: the first one retired)" : "  (same browser!)"));
      System.out.println("anonymous lease:                  " + outcome.anonymous());
      System.out.println("logins the site saw:              " + outcome.logins());
      List<String> problems = new ArrayList<>();
      if (!"Welcome, alice".equals(outcome.afterLogin())) {
        problems.add("login did not work");
      }
      if (!"Welcome, alice".equals(outcome.aliceLater())) {
        problems.add("alice's later lease was not logged in");
      }
      if (!outcome.aliceInNewBrowser()) {
        problems.add("alice's later lease ran in the same browser: the first one did not retire");
      }
      if (!"Please log in".equals(outcome.anonymous())) {
        problems.add("the anonymous lease saw alice's session");
      }
      if (outcome.logins() != 1) {
        problems.add("expected exactly 1 login, saw " + outcome.logins());
      }
      problems.forEach(p -> System.out.println("FAILED: " + p));
      exitCode = problems.isEmpty() ? 0 : 1;
    } catch (BrowserPoolException e) {
      System.out.println("FAILED: " + e.getMessage()); // says what to fix, e.g. how to install Chromium
    } catch (Exception e) {
      System.out.println("FAILED: " + e);
      e.printStackTrace(System.out);
    }
    System.out.flush();
    System.exit(exitCode);
  }
}
