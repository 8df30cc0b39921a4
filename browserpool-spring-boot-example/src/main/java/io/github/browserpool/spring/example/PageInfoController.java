package io.github.browserpool.spring.example;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.kklisura.cdt.services.ChromeDevToolsService;
import io.github.browserpool.BrowserLease;
import io.github.browserpool.BrowserPool;
import io.github.browserpool.test.Pages;
import java.io.IOException;
import java.net.URI;
import java.util.List;
import java.util.Set;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/** {@code GET /page-info?url=...}: the page's title and links, read by a pooled browser. */
@RestController
public class PageInfoController {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String LINKS_AS_JSON =
      "JSON.stringify(Array.from(document.querySelectorAll('a[href]'), a => a.href))";

  private final BrowserPool pool;
  private final Set<String> allowedHosts;

  public PageInfoController(BrowserPool pool,
      @Value("${page-info.allowed-hosts:127.0.0.1,localhost}") Set<String> allowedHosts) {
    this.pool = pool;
    this.allowedHosts = allowedHosts;
  }

  /** What the endpoint returns. */
  public record PageInfo(String url, String title, List<String> links) {}

  @GetMapping("/page-info")
  public PageInfo pageInfo(@RequestParam("url") String url) throws IOException {
    URI uri = checked(url);
    try (BrowserLease lease = pool.acquire()) {
      ChromeDevToolsService page = lease.newPage();
      Pages.navigate(page, uri.toString());
      String title = (String) Pages.evaluate(page, "document.title");
      String links = (String) Pages.evaluate(page, LINKS_AS_JSON);
      return new PageInfo(uri.toString(), title, JSON.readValue(links, new TypeReference<List<String>>() {}));
    }
  }

  /** Only http(s) pages on the allowed hosts (the local demo site): a browser must not fetch anything else. */
  private URI checked(String url) {
    URI uri;
    try {
      uri = URI.create(url);
    } catch (IllegalArgumentException e) {
      throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "url is not a URL: " + url);
    }
    boolean http = "http".equals(uri.getScheme()) || "https".equals(uri.getScheme());
    if (!http || uri.getHost() == null || !allowedHosts.contains(uri.getHost())) {
      throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "url must be an http(s) URL on one of "
          + allowedHosts + " (page-info.allowed-hosts), but was " + url);
    }
    return uri;
  }
}
