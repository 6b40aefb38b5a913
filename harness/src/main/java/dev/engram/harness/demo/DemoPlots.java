package dev.engram.harness.demo;

import dev.engram.harness.demo.DemoResult.KilledRun;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The demo's two charts as PNG files, drawn with java.awt in headless mode.
 * <ul>
 *   <li>{@link #latencyPercentiles}: append latency by percentile, the classic HdrHistogram view: x is
 *       {@code log10(1 / (1 - p))} labelled 0 %, 90 %, 99 %, ..., 99.999 %; y is latency in µs on a log scale.</li>
 *   <li>{@link #recoveryVsStateSize}: recovery time (process start → ready, and {@code Engram.open()}) against
 *       state size, one point per size-series run, plus the main run.</li>
 * </ul>
 */
final class DemoPlots
{
    static final int WIDTH = 960;
    static final int HEIGHT = 600;
    private static final int LEFT = 90;
    private static final int RIGHT = 40;
    private static final int TOP = 60;
    private static final int BOTTOM = 80;
    private static final double MAX_NINES = 5; // 99.999 %
    private static final Color GRID = new Color(225, 225, 225);
    private static final Color BLUE = new Color(31, 119, 180);
    private static final Color ORANGE = new Color(230, 120, 20);
    private static final Color GREEN = new Color(44, 160, 44);

    static
    {
        System.setProperty("java.awt.headless", "true");
    }

    private DemoPlots()
    {
    }

    /**
     * @param latencyNs append latency histogram in nanoseconds.
     * @param title     the chart's title.
     * @param png       the file to write.
     */
    static void latencyPercentiles(final Histogram latencyNs, final String title, final String subtitle, final Path png)
        throws IOException
    {
        final BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        final Graphics2D g = begin(image, title, subtitle);
        final double minUs = Math.max(0.01, latencyNs.getMinValue() / 1e3);
        final double maxUs = Math.max(minUs * 10, latencyNs.getMaxValue() / 1e3);
        final double yLo = Math.floor(Math.log10(minUs));
        final double yHi = Math.ceil(Math.log10(maxUs));
        final Axes axes = new Axes(0, MAX_NINES, yLo, yHi);
        // grid and ticks: x at each nine, y at each power of ten (and 2x, 5x in between, unlabelled)
        for (int nines = 0; nines <= MAX_NINES; nines++)
        {
            final int x = axes.x(nines);
            gridLine(g, x, TOP, x, HEIGHT - BOTTOM);
            centred(g, percentileLabel(nines), x, HEIGHT - BOTTOM + 20);
        }
        for (double decade = yLo; decade <= yHi; decade++)
        {
            final int y = axes.y(decade);
            gridLine(g, LEFT, y, WIDTH - RIGHT, y);
            rightAligned(g, formatMicros(Math.pow(10, decade)), LEFT - 8, y + 5);
            for (final int minor : new int[] {2, 5})
            {
                final double v = decade + Math.log10(minor);
                if (v < yHi)
                {
                    g.setColor(new Color(240, 240, 240));
                    g.drawLine(LEFT, axes.y(v), WIDTH - RIGHT, axes.y(v));
                }
            }
        }
        axisTitles(g, "percentile (log scale of 1 / (1 - p))", "latency (µs, log scale)");
        // the distribution
        final Path2D.Double line = new Path2D.Double();
        boolean first = true;
        for (final HistogramIterationValue v : latencyNs.percentiles(5))
        {
            final double nines = Math.min(MAX_NINES, ninesOf(v.getPercentileLevelIteratedTo()));
            final double us = Math.max(minUs, v.getValueIteratedTo() / 1e3);
            final double x = axes.xd(nines);
            final double y = axes.yd(Math.log10(us));
            if (first)
            {
                line.moveTo(x, y);
                first = false;
            }
            else
            {
                line.lineTo(x, y);
            }
            if (nines >= MAX_NINES)
            {
                break;
            }
        }
        g.setColor(BLUE);
        g.setStroke(new BasicStroke(2.2f));
        g.draw(line);
        // the percentiles the report names, marked and labelled
        final double[] marks = {50, 99, 99.9, 99.99};
        for (final double p : marks)
        {
            mark(g, axes, ninesOf(p), latencyNs.getValueAtPercentile(p) / 1e3, "p" + trim(p) + " " + formatMicros(latencyNs.getValueAtPercentile(p) / 1e3) + " µs", minUs);
        }
        // the max sits at the right edge: the percentile iteration ends there with it
        final double maxUsValue = latencyNs.getMaxValue() / 1e3;
        final int mx = axes.x(MAX_NINES);
        final int my = axes.y(Math.log10(Math.max(minUs, maxUsValue)));
        g.setColor(ORANGE);
        g.fillOval(mx - 4, my - 4, 8, 8);
        g.setColor(Color.BLACK);
        rightAligned(g, "max " + formatMicros(maxUsValue) + " µs", mx - 8, my + 18);
        g.setColor(Color.DARK_GRAY);
        g.drawString(String.format("n = %,d appends", latencyNs.getTotalCount()), LEFT + 10, TOP + 18);
        end(g, image, png);
    }

    /**
     * @param series the size-series runs (may be empty).
     * @param main   the main run, drawn as its own point.
     * @param title  the chart's title.
     * @param png    the file to write.
     */
    static void recoveryVsStateSize(
        final List<KilledRun> series, final KilledRun main, final String title, final String subtitle, final Path png)
        throws IOException
    {
        final BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        final Graphics2D g = begin(image, title, subtitle);
        final List<KilledRun> all = new ArrayList<>(series);
        all.add(main);
        double maxMib = 0;
        double maxMs = 0;
        for (final KilledRun run : all)
        {
            maxMib = Math.max(maxMib, mib(run));
            maxMs = Math.max(maxMs, Math.max(run.processStartToReadyUs() / 1e3, run.recovery().openNs() / 1e6));
        }
        final double xStep = niceStep(maxMib * 1.15 / 6);
        final double yStep = niceStep(maxMs * 1.2 / 6);
        final double xHi = Math.ceil(maxMib * 1.15 / xStep) * xStep;
        final double yHi = Math.ceil(maxMs * 1.2 / yStep) * yStep;
        final Axes axes = new Axes(0, xHi, 0, yHi);
        for (double x = 0; x <= xHi + 1e-9; x += xStep)
        {
            gridLine(g, axes.x(x), TOP, axes.x(x), HEIGHT - BOTTOM);
            centred(g, trim(x), axes.x(x), HEIGHT - BOTTOM + 20);
        }
        for (double y = 0; y <= yHi + 1e-9; y += yStep)
        {
            gridLine(g, LEFT, axes.y(y), WIDTH - RIGHT, axes.y(y));
            rightAligned(g, trim(y), LEFT - 8, axes.y(y) + 5);
        }
        axisTitles(g, "state size (MiB of live values)", "recovery time (ms)");
        drawSeries(g, axes, series, true, ORANGE);
        drawSeries(g, axes, series, false, BLUE);
        // the main run: hollow markers
        g.setStroke(new BasicStroke(2f));
        for (final boolean startToReady : new boolean[] {true, false})
        {
            final double ms = startToReady ? main.processStartToReadyUs() / 1e3 : main.recovery().openNs() / 1e6;
            final int x = axes.x(mib(main));
            final int y = axes.y(ms);
            g.setColor(GREEN);
            g.drawRect(x - 6, y - 6, 12, 12);
            g.setColor(Color.DARK_GRAY);
            g.drawString(String.format("%.0f ms", ms), x + 10, y + (startToReady ? -6 : 16));
        }
        // legend
        int ly = TOP + 14;
        legend(g, LEFT + 14, ly, ORANGE, "process start → ready (fresh JVM: JVM start, class loading, open)", false);
        ly += 20;
        legend(g, LEFT + 14, ly, BLUE, "Engram.open() (map checkpoint, replay journal tail)", false);
        ly += 20;
        legend(g, LEFT + 14, ly, GREEN, String.format("main run (killed at %.0f s, %,d frames replayed)",
            main.killedAtSeconds(), main.recovery().framesReplayed()), true);
        if (!series.isEmpty())
        {
            ly += 20;
            g.setColor(Color.DARK_GRAY);
            final StringBuilder replayed = new StringBuilder();
            for (final KilledRun run : series)
            {
                replayed.append(replayed.length() == 0 ? "" : " / ").append(String.format("%,d", run.recovery().framesReplayed()));
            }
            g.drawString(String.format("filled dots: build the world, checkpoint, %,d more deltas, kill -9 (frames replayed: %s)",
                series.get(0).tailSteps(), replayed), LEFT + 14, ly + 4);
        }
        end(g, image, png);
    }

    private static void drawSeries(final Graphics2D g, final Axes axes, final List<KilledRun> series, final boolean startToReady, final Color color)
    {
        final Path2D.Double line = new Path2D.Double();
        for (int i = 0; i < series.size(); i++)
        {
            final KilledRun run = series.get(i);
            final double ms = startToReady ? run.processStartToReadyUs() / 1e3 : run.recovery().openNs() / 1e6;
            if (i == 0)
            {
                line.moveTo(axes.xd(mib(run)), axes.yd(ms));
            }
            else
            {
                line.lineTo(axes.xd(mib(run)), axes.yd(ms));
            }
        }
        g.setColor(color);
        g.setStroke(new BasicStroke(2.2f));
        g.draw(line);
        for (final KilledRun run : series)
        {
            final double ms = startToReady ? run.processStartToReadyUs() / 1e3 : run.recovery().openNs() / 1e6;
            final int x = axes.x(mib(run));
            final int y = axes.y(ms);
            g.setColor(color);
            g.fillOval(x - 5, y - 5, 10, 10);
            g.setColor(Color.DARK_GRAY);
            g.drawString(String.format("%.0f ms", ms), x - 20, y - 10);
        }
    }

    private static double mib(final KilledRun run)
    {
        return run.recovery().stateBytes() / (1024.0 * 1024.0);
    }

    private static Graphics2D begin(final BufferedImage image, final String title, final String subtitle)
    {
        final Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, WIDTH, HEIGHT);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 17));
        centred(g, title, WIDTH / 2, 26);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        g.setColor(Color.DARK_GRAY);
        centred(g, subtitle, WIDTH / 2, 46);
        return g;
    }

    private static void end(final Graphics2D g, final BufferedImage image, final Path png) throws IOException
    {
        g.setColor(Color.BLACK);
        g.setStroke(new BasicStroke(1.2f));
        g.drawRect(LEFT, TOP, WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM);
        g.dispose();
        if (!ImageIO.write(image, "png", png.toFile()))
        {
            throw new IOException("no PNG writer in this JVM: cannot write " + png);
        }
    }

    private static void axisTitles(final Graphics2D g, final String x, final String y)
    {
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
        centred(g, x, LEFT + (WIDTH - LEFT - RIGHT) / 2, HEIGHT - 25);
        final Graphics2D rotated = (Graphics2D)g.create();
        rotated.rotate(-Math.PI / 2);
        centred(rotated, y, -(TOP + (HEIGHT - TOP - BOTTOM) / 2), 24);
        rotated.dispose();
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    }

    private static void mark(final Graphics2D g, final Axes axes, final double nines, final double us, final String label, final double minUs)
    {
        final int x = axes.x(Math.min(MAX_NINES, nines));
        final int y = axes.y(Math.log10(Math.max(minUs, us)));
        g.setColor(ORANGE);
        g.fillOval(x - 4, y - 4, 8, 8);
        g.setColor(Color.BLACK);
        final FontMetrics fm = g.getFontMetrics();
        final int width = fm.stringWidth(label);
        final int lx = x + 8 + width > WIDTH - RIGHT ? x - 8 - width : x + 8;
        g.drawString(label, lx, y - 6);
    }

    private static void legend(final Graphics2D g, final int x, final int y, final Color color, final String text, final boolean hollow)
    {
        g.setColor(color);
        if (hollow)
        {
            g.setStroke(new BasicStroke(2f));
            g.drawRect(x, y - 5, 10, 10);
        }
        else
        {
            g.fillOval(x, y - 5, 10, 10);
        }
        g.setColor(Color.DARK_GRAY);
        g.drawString(text, x + 18, y + 4);
    }

    private static void gridLine(final Graphics2D g, final int x1, final int y1, final int x2, final int y2)
    {
        g.setColor(GRID);
        g.setStroke(new BasicStroke(1f));
        g.drawLine(x1, y1, x2, y2);
        g.setColor(Color.DARK_GRAY);
    }

    private static void centred(final Graphics2D g, final String text, final int x, final int y)
    {
        g.drawString(text, x - g.getFontMetrics().stringWidth(text) / 2, y);
    }

    private static void rightAligned(final Graphics2D g, final String text, final int x, final int y)
    {
        g.drawString(text, x - g.getFontMetrics().stringWidth(text), y);
    }

    /** @return log10(1 / (1 - p/100)): 0 at 0 %, 1 at 90 %, 2 at 99 %, ... */
    static double ninesOf(final double percentile)
    {
        return percentile >= 100 ? Double.POSITIVE_INFINITY : Math.log10(100.0 / (100.0 - percentile));
    }

    private static String percentileLabel(final int nines)
    {
        return nines == 0 ? "0%" : trim(100.0 - 100.0 / Math.pow(10, nines)) + "%";
    }

    static String formatMicros(final double us)
    {
        if (us >= 100)
        {
            return String.format("%,.0f", us);
        }
        if (us >= 10)
        {
            return String.format("%.1f", us);
        }
        return String.format("%.2f", us);
    }

    private static String trim(final double value)
    {
        final String s = String.format("%.4f", value);
        return s.replaceAll("\\.?0+$", "");
    }

    private static double niceStep(final double rough)
    {
        if (rough <= 0)
        {
            return 1;
        }
        final double magnitude = Math.pow(10, Math.floor(Math.log10(rough)));
        for (final double f : new double[] {1, 2, 2.5, 5, 10})
        {
            if (f * magnitude >= rough)
            {
                return f * magnitude;
            }
        }
        return 10 * magnitude;
    }

    /** Data → pixel mapping of the plot area. */
    private record Axes(double xLo, double xHi, double yLo, double yHi)
    {
        double xd(final double x)
        {
            return LEFT + (x - xLo) / (xHi - xLo) * (WIDTH - LEFT - RIGHT);
        }

        double yd(final double y)
        {
            return HEIGHT - BOTTOM - (y - yLo) / (yHi - yLo) * (HEIGHT - TOP - BOTTOM);
        }

        int x(final double x)
        {
            return (int)Math.round(xd(x));
        }

        int y(final double y)
        {
            return (int)Math.round(yd(y));
        }
    }
}
