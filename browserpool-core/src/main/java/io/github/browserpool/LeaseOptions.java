package io.github.browserpool;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * How one lease's pages reach the network and present themselves: a proxy, user agent, locale, time
 * zone and viewport. The proxy is set on the lease's own browser context when it is created (so a
 * lease with a proxy gets a fresh context, never a prepared one); the others are applied to every page
 * of the lease before {@code newPage()} or {@code newRawPage()} returns it (through CDP's Emulation
 * domain). Nothing else is
 * affected: other leases, the pool's prepared contexts and pages a client opens over the lease's CDP
 * endpoint keep the browser's own settings (the proxy does apply to those pages: it belongs to the
 * context). Immutable; build one with {@link #builder()}.
 *
 * <pre>{@code
 * LeaseOptions de = LeaseOptions.builder().locale("de-DE").timezone("Europe/Berlin")
 *     .viewport(1280, 800).userAgent("Mozilla/5.0 (X11; Linux x86_64) MyCrawler/1.0").build();
 * try (BrowserLease lease = pool.acquire(de)) {
 *   ChromeDevToolsService page = lease.newPage();
 * }
 * }</pre>
 */
public final class LeaseOptions {
  /** Largest viewport side Chromium accepts for an override, in CSS pixels. */
  public static final int MAX_VIEWPORT = 10_000_000;

  private static final LeaseOptions DEFAULTS = new Builder().build();
  private static final Pattern LOCALE = Pattern.compile("[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*");
  private static final Set<String> PROXY_SCHEMES = Set.of("http", "https", "socks4", "socks5");

  private final String proxyServer;
  private final String proxyUser;
  private final String proxyPassword;

  private final String userAgent;
  private final String locale;
  private final String timezone;
  private final int viewportWidth;
  private final int viewportHeight;
  private final String storageState;

  private LeaseOptions(Builder b) {
    this.storageState = b.storageState;
    this.proxyServer = b.proxyServer;
    this.proxyUser = b.proxyUser;
    this.proxyPassword = b.proxyPassword;
    this.userAgent = b.userAgent;
    this.locale = b.locale;
    this.timezone = b.timezone;
    this.viewportWidth = b.viewportWidth;
    this.viewportHeight = b.viewportHeight;
  }

  /** No overrides: the lease's pages look as the browser does. {@code acquire()} uses these. */
  public static LeaseOptions defaults() {
    return DEFAULTS;
  }

  /** Returns a builder with nothing set. */
  public static Builder builder() {
    return new Builder();
  }

  /** The proxy as Chromium takes it ({@code scheme://host:port}, no credentials), or null for none. */
  public String proxyServer() {
    return proxyServer;
  }

  /** The proxy's user name, or null when the proxy needs no credentials. */
  public String proxyUser() {
    return proxyUser;
  }

  /** The proxy's password (empty when only a user name was given), or null. Never logged. */
  public String proxyPassword() {
    return proxyPassword;
  }

  /** The user agent override, or null for the browser's own. */
  public String userAgent() {
    return userAgent;
  }

  /** The locale override (BCP 47, such as {@code de-DE}), or null. */
  public String locale() {
    return locale;
  }

  /** The time zone override (an IANA id such as {@code Europe/Berlin}), or null. */
  public String timezone() {
    return timezone;
  }

  /** The viewport width in CSS pixels, or 0 for the browser's own viewport. */
  public int viewportWidth() {
    return viewportWidth;
  }

  /** The viewport height in CSS pixels, or 0 for the browser's own viewport. */
  public int viewportHeight() {
    return viewportHeight;
  }

  /**
   * The state (Playwright's {@code storageState} JSON) the lease's context starts from, or null for none.
   * Never logged.
   */
  public String storageState() {
    return storageState;
  }

  /** Whether no page-level override (user agent, locale, time zone, viewport) is set: pages are left as they are. */
  public boolean emulatesNothing() {
    return userAgent == null && locale == null && timezone == null && viewportWidth == 0;
  }

  /** Whether nothing is set at all. */
  public boolean isDefault() {
    return proxyServer == null && userAgent == null && locale == null && timezone == null && viewportWidth == 0
        && storageState == null;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof LeaseOptions)) {
      return false;
    }
    LeaseOptions x = (LeaseOptions) o;
    return Objects.equals(proxyServer, x.proxyServer) && Objects.equals(proxyUser, x.proxyUser)
        && Objects.equals(proxyPassword, x.proxyPassword)
        && Objects.equals(userAgent, x.userAgent) && Objects.equals(locale, x.locale)
        && Objects.equals(timezone, x.timezone) && viewportWidth == x.viewportWidth
        && viewportHeight == x.viewportHeight && Objects.equals(storageState, x.storageState);
  }

  @Override
  public int hashCode() {
    return Objects.hash(proxyServer, proxyUser, proxyPassword, userAgent, locale, timezone, viewportWidth, viewportHeight,
        storageState);
  }

  @Override
  public String toString() {
    return "LeaseOptions{proxy=" + (proxyServer == null ? null : proxyServer
        + (proxyUser != null ? " (with credentials)" : "")) + ", userAgent=" + userAgent + ", locale=" + locale + ", timezone=" + timezone
        + ", viewport=" + (viewportWidth == 0 ? "default" : viewportWidth + "x" + viewportHeight)
        + (storageState == null ? "" : ", storageState=(" + storageState.length() + " chars)") + "}";
  }

  /** Builds {@link LeaseOptions}; every setter rejects a bad value with a message that names the option. */
  public static final class Builder {
    private String proxyServer;
    private String proxyUser;
    private String proxyPassword;
    private String userAgent;
    private String locale;
    private String timezone;
    private int viewportWidth;
    private int viewportHeight;
    private String storageState;

    private Builder() {}

    /**
     * A proxy for this lease's context alone: {@code http://host:port}, {@code https://…}, {@code
     * socks4://…} or {@code socks5://…}, with {@code user:pass@} before the host for a proxy that asks
     * for credentials (they are answered on the proxy's challenge; the pages never see them). All of
     * the context's traffic goes through it, loopback included.
     *
     * @throws IllegalArgumentException when it is not such a URL, has a path or query, lacks a port, or
     *     has credentials with a SOCKS scheme (Chromium cannot authenticate to SOCKS proxies)
     * @throws NullPointerException when {@code proxy} is null
     */
    public Builder proxy(String proxy) {
      Objects.requireNonNull(proxy, "proxy");
      URI uri;
      try {
        uri = new URI(proxy);
      } catch (URISyntaxException e) {
        throw badProxy(proxy, "it is not a URL (" + e.getReason() + ")");
      }
      String scheme = uri.getScheme() == null ? null : uri.getScheme().toLowerCase(Locale.ROOT);
      if (scheme == null || !PROXY_SCHEMES.contains(scheme)) {
        throw badProxy(proxy, "the scheme must be http, https, socks4 or socks5");
      }
      if (uri.getHost() == null || uri.getPort() < 1) {
        throw badProxy(proxy, "it needs a host and a port, as in http://proxy.example:3128");
      }
      if ((uri.getRawPath() != null && !uri.getRawPath().isEmpty() && !uri.getRawPath().equals("/"))
          || uri.getRawQuery() != null || uri.getRawFragment() != null) {
        throw badProxy(proxy, "it may have no path, query or fragment");
      }
      String user = null;
      String password = null;
      if (uri.getRawUserInfo() != null) {
        if (scheme.startsWith("socks")) {
          throw badProxy(proxy, "Chromium cannot send credentials to a SOCKS proxy");
        }
        String info = uri.getUserInfo();
        int colon = info.indexOf(':');
        user = colon < 0 ? info : info.substring(0, colon);
        password = colon < 0 ? "" : info.substring(colon + 1);
        if (user.isEmpty()) {
          throw badProxy(proxy, "the user name before ':' is empty");
        }
      }
      this.proxyServer = scheme + "://" + uri.getHost() + ":" + uri.getPort();
      this.proxyUser = user;
      this.proxyPassword = password;
      return this;
    }

    private static IllegalArgumentException badProxy(String proxy, String why) {
      String shown = proxy.replaceAll("//[^/@]*@", "//***@"); // never echo a password
      return new IllegalArgumentException("proxy must be scheme://[user:pass@]host:port with scheme http,"
          + " https, socks4 or socks5, got \"" + shown + "\": " + why);
    }

    /**
     * The {@code User-Agent} header and {@code navigator.userAgent} of the lease's pages.
     *
     * @throws IllegalArgumentException when it is blank or holds a line break or another control
     *     character (it would split the HTTP header)
     * @throws NullPointerException when {@code userAgent} is null
     */
    public Builder userAgent(String userAgent) {
      Objects.requireNonNull(userAgent, "userAgent");
      if (userAgent.isBlank() || userAgent.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
        throw new IllegalArgumentException("userAgent must be a non-blank header value without line breaks"
            + " or control characters, got \"" + userAgent.replace("\n", "\\n").replace("\r", "\\r") + "\"");
      }
      this.userAgent = userAgent;
      return this;
    }

    /**
     * The locale of the lease's pages ({@code navigator.language}, {@code Intl}), a BCP 47 tag such
     * as {@code en-US} or {@code de-DE}.
     *
     * @throws IllegalArgumentException when it is not a BCP 47 language tag
     * @throws NullPointerException when {@code locale} is null
     */
    public Builder locale(String locale) {
      Objects.requireNonNull(locale, "locale");
      if (!LOCALE.matcher(locale).matches() || Locale.forLanguageTag(locale).getLanguage().isEmpty()) {
        throw new IllegalArgumentException("locale must be a BCP 47 language tag such as \"en-US\" or"
            + " \"de-DE\", got \"" + locale + "\"");
      }
      this.locale = locale;
      return this;
    }

    /**
     * The time zone of the lease's pages ({@code Date}, {@code Intl}), an IANA id such as {@code
     * Europe/Berlin} or {@code UTC}.
     *
     * @throws IllegalArgumentException when it is not an IANA time zone id (offsets such as {@code
     *     +02:00} are not accepted by Chromium)
     * @throws NullPointerException when {@code timezone} is null
     */
    public Builder timezone(String timezone) {
      Objects.requireNonNull(timezone, "timezone");
      boolean known;
      try {
        known = ZoneId.getAvailableZoneIds().contains(ZoneId.of(timezone).getId());
      } catch (DateTimeException e) {
        known = false;
      }
      if (!known) {
        throw new IllegalArgumentException("timezone must be an IANA time zone id such as"
            + " \"Europe/Berlin\" or \"UTC\", got \"" + timezone + "\"");
      }
      this.timezone = timezone;
      return this;
    }

    /**
     * The viewport of the lease's pages ({@code window.innerWidth} and {@code innerHeight}), in CSS
     * pixels at a device scale factor of 1.
     *
     * @throws IllegalArgumentException when a side is below 1 or above {@link #MAX_VIEWPORT}
     */
    public Builder viewport(int width, int height) {
      if (width < 1 || height < 1 || width > MAX_VIEWPORT || height > MAX_VIEWPORT) {
        throw new IllegalArgumentException("viewport must be between 1x1 and " + MAX_VIEWPORT + "x"
            + MAX_VIEWPORT + " CSS pixels, got " + width + "x" + height);
      }
      this.viewportWidth = width;
      this.viewportHeight = height;
      return this;
    }

    /**
     * A state for the lease's context to start from: JSON in Playwright's {@code storageState} format
     * ({@code {"cookies": [...], "origins": [...]}}, as {@code BrowserLease.storageState()} or Playwright's
     * {@code context.storageState()} returns it). Its cookies, localStorage and IndexedDB are restored
     * into the lease's fresh context before {@code acquire} returns; it is stored nowhere. A state that
     * does not parse, or is over the size limit, makes {@code acquire} throw {@link
     * SessionStateException} before any browser is used. With a session key and a {@code
     * SessionStore}, it seeds a key that has no stored state yet.
     *
     * @throws IllegalArgumentException when {@code json} is blank
     * @throws NullPointerException when {@code json} is null
     */
    public Builder storageState(String json) {
      Objects.requireNonNull(json, "storageState: pass the JSON of a storage state, or leave it unset");
      if (json.isBlank()) {
        throw new IllegalArgumentException("storageState must be the JSON of a storage state"
            + " ({\"cookies\": [...], \"origins\": [...]}), got a blank string");
      }
      this.storageState = json;
      return this;
    }

    /** Returns the immutable options. */
    public LeaseOptions build() {
      return new LeaseOptions(this);
    }
  }
}
