using System.Net;
using NeighbourHub.Web.Features.Notifications;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace NeighbourHub.Web.Hosting;

/// <summary>
/// OpenTelemetry with the ecosystem's own parts. Metrics always (the product's <see cref="ProductMetrics"/>, ASP.NET
/// Core, HttpClient, the runtime) for the Prometheus scrape at <see cref="MetricsPath"/>; traces (ASP.NET Core,
/// HttpClient, EF Core, Redis, background job ticks) and an OTLP push of both only when an endpoint is configured —
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> or <c>Observability:OtlpEndpoint</c>. Without one no tracer is built, nothing
/// listens to spans and nothing leaves the machine.
/// </summary>
public static class Observability
{
    public const string MetricsPath = "/metrics";

    /// <summary>
    /// <c>Observability:Enabled=false</c> leaves OpenTelemetry out entirely (no /metrics, no traces): the baseline
    /// bench/observability.sh measures against, and a way out should an instrumentation misbehave in production.
    /// </summary>
    public static bool Enabled(IConfiguration configuration) => configuration.GetValue("Observability:Enabled", true);

    /// <summary>The OTLP endpoint, if any: the standard variable wins, then the app's own key.</summary>
    public static string? OtlpEndpoint(IConfiguration configuration) =>
        new[] { configuration["OTEL_EXPORTER_OTLP_ENDPOINT"], configuration["Observability:OtlpEndpoint"] }.FirstOrDefault(v => !string.IsNullOrWhiteSpace(v));

    public static WebApplicationBuilder AddObservability(this WebApplicationBuilder builder)
    {
        var config = builder.Configuration;
        var otlp = OtlpEndpoint(config);
        var services = builder.Services;
        services.AddSingleton<OutboxProbe>();
        services.AddHealthChecks().AddCheck<OutboxHealthCheck>("outbox", tags: ["ready"]);
        if (!Enabled(config))
        {
            return builder;
        }

        var telemetry = services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(config["Observability:ServiceName"] ?? "neighbourhub", serviceInstanceId: $"{Environment.MachineName}:{Environment.ProcessId}"))
            .WithMetrics(m =>
            {
                m.AddMeter(ProductMetrics.MeterName)
                    .AddAspNetCoreInstrumentation()
                    .AddHttpClientInstrumentation()
                    .AddRuntimeInstrumentation()
                    // Each metric stream allocates room for its cardinality limit up front: 2,000 points by default, ~70
                    // streams, 10 MB of the idle heap (ADR 0010). Ours and the runtime's have a handful of tag
                    // combinations each; only the request duration (route × method × status) needs the default.
                    .AddView(instrument => instrument.Name == "http.server.request.duration" ? null : new MetricStreamConfiguration { CardinalityLimit = 100 })
                    // Scrapes are rare and tests read a counter right after the act: no cached answers.
                    .AddPrometheusExporter(o => o.ScrapeResponseCacheDurationMilliseconds = 0);
                if (otlp is not null)
                {
                    AddOtlp(m, otlp);
                }
            });

        if (otlp is not null)
        {
            var redis = config.UsesRedis();
            telemetry.WithTracing(t =>
            {
                t.AddSource(ProductMetrics.Jobs.Name)
                    .AddAspNetCoreInstrumentation(o => o.Filter = http => !IsProbe(http.Request.Path))
                    .AddHttpClientInstrumentation()
                    .AddEntityFrameworkCoreInstrumentation()
                    .AddOtlpExporter(o => o.Endpoint = new Uri(otlp));
                if (redis)
                {
                    t.AddRedisInstrumentation(); // the multiplexer SharedStateExtensions registered
                }
            });
        }

        return builder;
    }

    // In a method of its own: the JIT loads the assemblies a method names when it compiles it, and without an endpoint
    // (the default) the OTLP exporter's assembly need not be loaded at all (ADR 0010, 2026-12-03).
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static void AddOtlp(MeterProviderBuilder metrics, string endpoint) => metrics.AddOtlpExporter(o => o.Endpoint = new Uri(endpoint));

    /// <summary>
    /// The scrape endpoint, for loopback and <c>Observability:MetricsAllowedNetworks</c> only; anyone else — and any
    /// request that came through a proxy — gets the same 404 as an unknown path.
    /// </summary>
    public static WebApplication MapObservability(this WebApplication app)
    {
        _ = app.Services.GetRequiredService<OutboxProbe>(); // registers the outbox gauges before the first scrape
        if (!Enabled(app.Configuration))
        {
            return app;
        }

        var allowed = AllowedNetworks(app.Configuration);
        app.MapPrometheusScrapingEndpoint(MetricsPath)
            .ExcludeFromDescription()
            .Add(endpoint =>
            {
                var scrape = endpoint.RequestDelegate!;
                endpoint.RequestDelegate = http =>
                {
                    if (MayScrape(http, allowed))
                    {
                        return scrape(http);
                    }

                    http.Response.StatusCode = StatusCodes.Status404NotFound;
                    return Task.CompletedTask;
                };
            });
        return app;
    }

    /// <summary>
    /// The caller's address as the app sees it (after forwarded headers from a trusted proxy): loopback or a
    /// configured network. A request relayed by a proxy (X-Forwarded-For, or the X-Original-For the forwarded-headers
    /// middleware leaves behind) is refused even from loopback: nginx on the same machine must not turn the public
    /// into "localhost" if its own deny on /metrics is ever lost.
    /// </summary>
    internal static bool MayScrape(HttpContext http, IReadOnlyList<IPNetwork> allowed)
    {
        if (http.Request.Headers.ContainsKey("X-Forwarded-For") || http.Request.Headers.ContainsKey("X-Original-For"))
        {
            return false;
        }

        var address = http.Connection.RemoteIpAddress;
        if (address is null)
        {
            return false;
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        return IPAddress.IsLoopback(address) || allowed.Any(n => n.Contains(address));
    }

    private static List<IPNetwork> AllowedNetworks(IConfiguration configuration)
    {
        var section = configuration.GetSection("Observability:MetricsAllowedNetworks");
        var values = section.Value is { } single ? single.Split(',') : section.GetChildren().Select(c => c.Value ?? "");
        return values.Select(v => v.Trim()).Where(v => v.Length > 0).Select(IPNetwork.Parse).ToList();
    }

    /// <summary>Health probes and scrapes arrive every few seconds from machines; spans of them are noise.</summary>
    private static bool IsProbe(PathString path) =>
        path.StartsWithSegments("/health") || path.StartsWithSegments(MetricsPath);
}
