package dev.wasmbind.demo.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The demo in a real headless browser (Debian's chromium through chromedriver): upload the photo,
 * wait for the result, check its pixels in the page. Skipped without chromium and chromedriver
 * ({@code scripts/setup.sh} installs them). Leaves a screenshot in {@code target/screenshot.png}
 * (copied by hand to {@code examples/image-demo/screenshot.png}).
 */
class ImageDemoBrowserIT {

    private static final File CHROMEDRIVER = new File("/usr/bin/chromedriver");
    private static final File CHROMIUM = new File("/usr/bin/chromium");

    /** Decodes both images of the page into canvases and compares them pixel by pixel. */
    private static final String READ_PIXELS =
            """
            function pixels(img) {
              const canvas = document.createElement('canvas');
              canvas.width = img.naturalWidth;
              canvas.height = img.naturalHeight;
              const context = canvas.getContext('2d');
              context.drawImage(img, 0, 0);
              return context.getImageData(0, 0, canvas.width, canvas.height).data;
            }
            const original = document.getElementById('original');
            const result = document.getElementById('result');
            const a = pixels(original), b = pixels(result);
            let notGrey = 0, difference = 0;
            const levels = new Set();
            for (let i = 0; i < b.length; i += 4) {
              if (b[i] !== b[i + 1] || b[i] !== b[i + 2]) notGrey++;
              levels.add(b[i]);
              difference += Math.abs(0.299 * a[i] + 0.587 * a[i + 1] + 0.114 * a[i + 2] - b[i]);
            }
            return {
              originalWidth: original.naturalWidth, originalHeight: original.naturalHeight,
              resultWidth: result.naturalWidth, resultHeight: result.naturalHeight,
              pixels: b.length / 4, notGrey: notGrey, levels: levels.size,
              meanDifference: difference / (b.length / 4)
            };
            """;

    private static DemoStack demo;
    private static WebDriver browser;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(
                CHROMEDRIVER.canExecute() && CHROMIUM.canExecute(),
                "needs Debian's chromium and chromium-driver (scripts/setup.sh installs them)");
        demo = DemoStack.start();
        // Explicit paths: Selenium Manager then has nothing to look up or download.
        var service =
                new ChromeDriverService.Builder()
                        .usingDriverExecutable(CHROMEDRIVER)
                        .usingAnyFreePort()
                        .build();
        Path profile = Files.createTempDirectory("image-demo-chromium");
        var options = new ChromeOptions();
        options.setBinary(CHROMIUM);
        options.addArguments(
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--user-data-dir=" + profile);
        browser = new ChromeDriver(service, options);
        browser.manage().window().setSize(new Dimension(1200, 820));
    }

    @AfterAll
    static void stop() throws Exception {
        if (browser != null) {
            browser.quit();
        }
        if (demo != null) {
            demo.close();
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void shouldShowTheUploadedPhotoAndItsGreyVersionSideBySide() throws Exception {
        browser.get(demo.url());

        browser.findElement(By.id("file")).sendKeys(DemoStack.PHOTO.toString());
        new WebDriverWait(browser, Duration.ofSeconds(120))
                .until(
                        ExpectedConditions.or(
                                ExpectedConditions.attributeToBe(
                                        By.id("status"), "data-state", "done"),
                                ExpectedConditions.attributeToBe(
                                        By.id("status"), "data-state", "error")));

        String status = browser.findElement(By.id("status")).getText();
        assertThat(status).startsWith("Done in ").contains(" ms (the binding call");
        var pixels =
                (Map<String, Object>) ((JavascriptExecutor) browser).executeScript(READ_PIXELS);
        assertThat(pixels)
                .containsEntry("originalWidth", 640L)
                .containsEntry("originalHeight", 427L)
                .containsEntry("resultWidth", 640L)
                .containsEntry("resultHeight", 427L)
                .containsEntry("pixels", 640L * 427L)
                .containsEntry("notGrey", 0L);
        // A real picture, not a flat one: many grey levels, each close to the original's luma
        // (the browser's JPEG decoder and stb_image's differ by a few levels).
        assertThat((Long) pixels.get("levels")).isGreaterThan(100L);
        assertThat(((Number) pixels.get("meanDifference")).doubleValue()).isLessThan(10.0);

        File screenshot = ((ChromeDriver) browser).getScreenshotAs(OutputType.FILE);
        Files.copy(
                screenshot.toPath(),
                Path.of("target", "screenshot.png"),
                StandardCopyOption.REPLACE_EXISTING);
    }
}
