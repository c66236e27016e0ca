using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using NeighbourHub.Web.Components;
using Scalar.AspNetCore;

namespace NeighbourHub.Web.Hosting;

public static class HostingExtensions
{
    /// <summary>JSON request bodies larger than this are refused with 413 (uploads have their own limit).</summary>
    public const long MaxJsonBodyBytes = 256 * 1024;

    /// <summary>
    /// Any request body: the largest photo (<see cref="Features.Files.ImageSniffer.MaxBytes"/>) and its multipart
    /// envelope. Household rolls uploaded through the API are held to it too; the console reads them over its own
    /// connection, up to <see cref="Features.Organisation.HouseholdImport.MaxFileBytes"/>.
    /// </summary>
    public const long MaxRequestBodyBytes = Features.Files.ImageSniffer.MaxBytes + 1024 * 1024;

    public static WebApplicationBuilder AddHosting(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        if (!builder.Environment.IsDevelopment())
        {
            // One JSON object per line with scopes (trace id, request path) for the log shipper.
            builder.Logging.AddJsonConsole(o =>
            {
                o.IncludeScopes = true;
                o.UseUtcTimestamp = true;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
            });
        }

        services.AddProblemDetails(o => o.CustomizeProblemDetails = ctx =>
        {
            ctx.ProblemDetails.Instance ??= ctx.HttpContext.Request.Path;
            // Residents read these: the framework's English reason phrases become the product's words.
            if (ProblemTexts.IsDefaultTitle(ctx.ProblemDetails.Title))
            {
                ctx.ProblemDetails.Title = ProblemTexts.TitleFor(ctx.ProblemDetails.Status ?? ctx.HttpContext.Response.StatusCode);
            }

            ctx.ProblemDetails.Extensions["traceId"] = Activity.Current?.TraceId.ToString() ?? ctx.HttpContext.TraceIdentifier;
        });
        services.AddExceptionHandler<ProblemDetailsExceptionHandler>();
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.ConfigureHttpJsonOptions(o => ConfigureJson(o.SerializerOptions));
        services.Configure<Microsoft.AspNetCore.Mvc.JsonOptions>(o => ConfigureJson(o.JsonSerializerOptions));
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Limits.MaxRequestBodySize = MaxRequestBodyBytes;
            k.AddServerHeader = false; // nothing to gain from naming the server to a scanner
        });

        services.AddOpenApi();
        services.AddSingleton<DatabaseHealthCheck>(); // keeps what it learnt of the connection between probes
        services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database", tags: ["ready"]);
        var forwarding = builder.Configuration.GetSection("ForwardedHeaders");
        services.Configure<ForwardedHeadersOptions>(o =>
        {
            // X-Forwarded-* is believed only from the proxies we run (deploy/'s nginx): loopback by default
            // (ASP.NET's own default), plus ForwardedHeaders:KnownProxies / KnownNetworks. From anyone else
            // the header is ignored, so it cannot dodge a per-address limit or frame another address.
            o.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            foreach (var proxy in ConfiguredList(forwarding.GetSection("KnownProxies")))
            {
                o.KnownProxies.Add(System.Net.IPAddress.Parse(proxy));
            }

            foreach (var network in ConfiguredList(forwarding.GetSection("KnownNetworks")))
            {
                o.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(network));
            }
        });

        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            Features.Identity.SignInLimits.AddSignInRateLimits(o, builder.Configuration);
            // Open311 is public: enough for a city platform polling, not for scraping at full speed.
            o.AddPolicy(Features.Repairs.Open311Api.RateLimitPolicy, http => RateLimitPartition.GetFixedWindowLimiter(
                http.Connection.RemoteIpAddress?.ToString() ?? "local",
                _ => new FixedWindowRateLimiterOptions { PermitLimit = 120, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 }));
            o.OnRejected = async (ctx, ct) =>
            {
                var problems = ctx.HttpContext.RequestServices.GetRequiredService<IProblemDetailsService>();
                await problems.WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = ctx.HttpContext,
                    ProblemDetails = { Status = 429, Detail = "请一分钟后再试。" },
                });
            };
        });
        return builder;
    }

    /// <summary>A list from configuration: an array section (appsettings) or one comma-separated value (an environment variable).</summary>
    private static IEnumerable<string> ConfiguredList(IConfigurationSection section) =>
        (section.Value is { } single ? single.Split(',') : section.GetChildren().Select(c => c.Value ?? ""))
            .Select(v => v.Trim()).Where(v => v.Length > 0);

    public static void ConfigureJson(JsonSerializerOptions o)
    {
        o.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        o.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false));
        // A misspelt field is an error the client should hear about, not something silently ignored.
        o.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
        o.Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping;
    }

    public static WebApplication UseHosting(this WebApplication app)
    {
        app.UseForwardedHeaders();
        app.UseExceptionHandler();
        app.UseStatusCodePages(WriteStatusProblem);
        app.UseConsoleNotFoundPage();
        if (!app.Environment.IsDevelopment())
        {
            app.UseHsts();
        }

        app.Use(SecurityHeaders);
        app.Use(LimitJsonBodies);
        return app;
    }

    public static WebApplication MapHostingEndpoints(this WebApplication app)
    {
        app.MapOpenApi("/openapi/{documentName}.json");
        app.MapScalarApiReference("/scalar");
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions
        {
            Predicate = c => c.Tags.Contains("ready"),
            ResponseWriter = WriteHealth,
        });
        app.MapGet("/", () => Results.Redirect("/admin")).ExcludeFromDescription();
        return app;
    }

    /// <summary>A bodiless 4xx/5xx (from authentication, routing, or a handler answering a bare status) gets a problem-details body.</summary>
    private static Task WriteStatusProblem(Microsoft.AspNetCore.Diagnostics.StatusCodeContext ctx) =>
        WriteProblemAsync(ctx.HttpContext, new Microsoft.AspNetCore.Mvc.ProblemDetails { Status = ctx.HttpContext.Response.StatusCode });

    /// <summary>
    /// Writes a problem through the problem-details service (which applies the product's titles and the trace
    /// id). That service declines when the client's Accept excludes JSON; under /api the answer is JSON
    /// anyway — the mini-program and scripts read JSON, and "Status Code: 401; Unauthorized" in text/plain
    /// helps nobody. Elsewhere (console pages and files) a short Chinese text.
    /// </summary>
    public static async Task WriteProblemAsync(HttpContext http, Microsoft.AspNetCore.Mvc.ProblemDetails problem, Exception? exception = null)
    {
        var problems = http.RequestServices.GetRequiredService<IProblemDetailsService>();
        if (await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = http, ProblemDetails = problem, Exception = exception }))
        {
            return;
        }

        var status = problem.Status ?? http.Response.StatusCode;
        if (ProblemTexts.IsDefaultTitle(problem.Title))
        {
            problem.Title = ProblemTexts.TitleFor(status);
        }

        if (http.Request.Path.StartsWithSegments("/api"))
        {
            problem.Instance ??= http.Request.Path;
            problem.Extensions["traceId"] = Activity.Current?.TraceId.ToString() ?? http.TraceIdentifier;
            await http.Response.WriteAsJsonAsync(problem, problem.GetType(), (JsonSerializerOptions?)null, "application/problem+json");
        }
        else
        {
            http.Response.ContentType = "text/plain; charset=utf-8";
            await http.Response.WriteAsync($"{status} {problem.Title} {problem.Detail}".Trim());
        }
    }

    private static Task SecurityHeaders(HttpContext http, Func<Task> next)
    {
        var h = http.Response.Headers;
        h.XContentTypeOptions = "nosniff";
        h.XFrameOptions = "DENY";
        h["Referrer-Policy"] = "no-referrer";
        h["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()";
        h.ContentSecurityPolicy = "frame-ancestors 'none'; base-uri 'self'; object-src 'none'";
        return next();
    }

    private static async Task LimitJsonBodies(HttpContext http, Func<Task> next)
    {
        if (http.Request.HasJsonContentType())
        {
            // JSON is UTF-8 (RFC 8259 §8.1). Any other charset — or one nobody knows — is refused here for
            // every endpoint at once, before a reader would fail on it deep inside the framework.
            var charset = Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParse(http.Request.ContentType, out var type) ? type.Charset : default;
            if (charset.HasValue && !charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase) && !charset.Equals("utf8", StringComparison.OrdinalIgnoreCase))
            {
                throw new BadHttpRequestException(ProblemTexts.JsonOnlyUtf8, StatusCodes.Status415UnsupportedMediaType);
            }

            if (http.Request.ContentLength > MaxJsonBodyBytes)
            {
                throw new BadHttpRequestException($"JSON 请求体最大 {MaxJsonBodyBytes / 1024} KB。", StatusCodes.Status413PayloadTooLarge);
            }

            // Also catches chunked bodies that carry no Content-Length.
            var limit = http.Features.Get<IHttpMaxRequestBodySizeFeature>();
            if (limit is { IsReadOnly: false })
            {
                limit.MaxRequestBodySize = MaxJsonBodyBytes;
            }
        }

        await next();
    }

    private static Task WriteHealth(HttpContext http, HealthReport report)
    {
        http.Response.ContentType = "application/json";
        return http.Response.WriteAsJsonAsync(new
        {
            status = report.Status.ToString(),
            checks = report.Entries.Select(e => new { name = e.Key, status = e.Value.Status.ToString(), description = e.Value.Description }),
        });
    }
}
