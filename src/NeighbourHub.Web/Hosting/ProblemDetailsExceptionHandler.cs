using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace NeighbourHub.Web.Hosting;

/// <summary>
/// The single translation from exceptions to RFC 7807 (GeoReport errors under /open311). Bad JSON (syntax,
/// wrong types, unknown fields, unknown enum values), malformed forms and multipart bodies, values that do
/// not bind and oversize bodies are the client's fault and say so in Chinese; anything unexpected is a 500
/// whose details stay in the log, found by the trace id. Titles left empty here come from
/// <see cref="ProblemTexts.TitleFor"/> (see AddHosting).
/// </summary>
internal sealed class ProblemDetailsExceptionHandler(ILogger<ProblemDetailsExceptionHandler> log)
    : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken ct)
    {
        // A request that died on a dead pooled connection empties the pools, wherever it failed: EF's interceptors do
        // not see every failure (BEGIN on a dead connection reaches no interceptor), and the next requests must not
        // draw the pool's other dead connections one by one.
        Data.DeadConnections.Instance.Observe(exception);
        ProblemDetails problem = exception switch
        {
            DomainValidationException v => new HttpValidationProblemDetails(v.Errors) { Status = 400, Title = ProblemTexts.InvalidRequest, Detail = v.Message },
            RequestValidationException r => new HttpValidationProblemDetails(r.Errors) { Status = 400, Title = ProblemTexts.InvalidRequest },
            ConflictException c => new ProblemDetails { Status = 409, Detail = c.Message },
            NotFoundException n => new ProblemDetails { Status = 404, Detail = n.Message },
            ForbiddenException f => new ProblemDetails { Status = 403, Detail = f.Message },
            UnauthorizedException u => new ProblemDetails { Status = 401, Detail = u.Message },
            TooManyRequestsException t => new ProblemDetails { Status = 429, Detail = t.Message },
            // Nothing was written (the transaction rolled back); the same request again will go through.
            _ when DatabaseCollisions.IsCollision(exception) => new ProblemDetails
            {
                Status = 409,
                Detail = "这次操作与另一项同时进行的操作冲突，没有做任何改动，请重试。",
            },
            // MariaDB or Redis unreachable for a moment (a restart, a failover, a dropped connection): the client's
            // request was fine and the same request later will be too. 503 with Retry-After, never 500 (issue #16).
            _ when IsTransientInfrastructureFailure(exception) => new ProblemDetails
            {
                Status = 503,
                Detail = "服务暂时不可用（数据库或缓存连接中断），请稍后重试；带 Idempotency-Key 的请求请用同一个 Key 重试。",
            },
            BadHttpRequestException { InnerException: JsonException j } => JsonProblem(j),
            BadHttpRequestException b when b.StatusCode == StatusCodes.Status413PayloadTooLarge =>
                new ProblemDetails { Status = 413, Detail = b.Message.StartsWith("Request body too large", StringComparison.Ordinal) ? "请求内容超过了允许的大小（JSON 最大 256 KB，图片最大 5 MB）。" : b.Message },
            BadHttpRequestException b => BinderProblem(b),
            JsonException j => JsonProblem(j),
            _ when IsMalformedBody(exception) => new ProblemDetails { Status = 400, Title = ProblemTexts.UnreadableBody },
            OperationCanceledException when http.RequestAborted.IsCancellationRequested => new ProblemDetails { Status = 499 },
            _ => new ProblemDetails { Status = 500, Detail = "错误已记录，请把追踪号（traceId）告诉管理员。" },
        };

        if (problem.Status >= 500)
        {
            log.LogError(exception, "Unhandled exception for {Method} {Path}", http.Request.Method, http.Request.Path);
        }
        else
        {
            log.LogInformation("{Method} {Path} answered {Status}: {Message}", http.Request.Method, http.Request.Path, problem.Status, exception.Message);
        }

        http.Response.StatusCode = problem.Status ?? 500;
        if (problem.Status == 503)
        {
            http.Response.Headers.RetryAfter = RetryAfterSeconds;
        }

        if (http.Request.Path.StartsWithSegments("/open311"))
        {
            // GeoReport v2 clients expect their own error shape, not RFC 7807.
            await http.Response.WriteAsJsonAsync(new[] { new { code = http.Response.StatusCode, description = problem.Title ?? problem.Detail ?? ProblemTexts.TitleFor(http.Response.StatusCode) } }, ct);
            return true;
        }

        await HostingExtensions.WriteProblemAsync(http, problem, exception);
        return true;
    }

    /// <summary>How long a client should wait after a 503 before trying the same request again.</summary>
    private const string RetryAfterSeconds = "2";

    /// <summary>
    /// The database or Redis could not be reached or dropped the connection, anywhere in the exception chain: MySqlConnector's
    /// own transient classification (connection refused, host gone, server shutting down, connection lost mid-command),
    /// EF Core's wrapper for it, and StackExchange.Redis' connection and timeout failures. A query that is simply wrong
    /// stays a 500.
    /// </summary>
    internal static bool IsTransientInfrastructureFailure(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case MySqlConnector.MySqlException m when m.IsTransient
                    || m.ErrorCode is MySqlConnector.MySqlErrorCode.UnableToConnectToHost or MySqlConnector.MySqlErrorCode.ServerShutdown
                        or MySqlConnector.MySqlErrorCode.QueryInterrupted or MySqlConnector.MySqlErrorCode.ConnectionCountError:
                case MySqlConnector.MySqlException { InnerException: IOException or System.Net.Sockets.SocketException }:
                // Raw, not wrapped in a MySqlException: what BEGIN meets on a pooled connection that died with MariaDB's
                // restart (the pool hands connections out unchecked, ADR 0014); the kill test saw it answer 500.
                case MySqlConnector.MySqlEndOfStreamException:
                case MySqlConnector.MySqlException { Number: Data.DeadConnections.ConnectionKilled }:
                case StackExchange.Redis.RedisConnectionException:
                case StackExchange.Redis.RedisTimeoutException:
                case Microsoft.EntityFrameworkCore.Storage.RetryLimitExceededException:
                    return true;
                // MySqlConnector's own state errors ("Connection must be Open; current state is Broken", a transaction
                // no longer usable): what a request meets when its connection died mid-way, as in a MariaDB restart,
                // where the kill test saw them answer 500. Nothing of ours drives a connection into those states.
                case InvalidOperationException when e.TargetSite?.DeclaringType?.Namespace?.StartsWith("MySqlConnector", StringComparison.Ordinal) == true:
                    return true;
                case AggregateException a when a.InnerExceptions.Any(IsTransientInfrastructureFailure):
                    return true;
            }
        }

        return false;
    }

    /// <summary>
    /// ASP.NET Core's form and multipart readers (Microsoft.AspNetCore.WebUtilities, the form feature) throw
    /// InvalidDataException for a missing boundary, a broken header line, a NUL in a value or too many parts,
    /// and IOException for a body cut short: all of them the client's malformed body, never our fault.
    /// </summary>
    private static bool IsMalformedBody(Exception exception) =>
        exception is InvalidDataException
        || (exception is IOException && new System.Diagnostics.StackTrace(exception).GetFrames()
            .Any(f => f.GetMethod()?.DeclaringType?.Namespace?.StartsWith("Microsoft.AspNetCore.WebUtilities", StringComparison.Ordinal) == true));

    /// <summary>Binder failures name the field in the product's words; the framework's text names .NET types.</summary>
    private static ProblemDetails BinderProblem(BadHttpRequestException b)
    {
        if (ProblemTexts.ForBinderMessage(b.Message) is var (field, message))
        {
            return new HttpValidationProblemDetails(new Dictionary<string, string[]> { [field] = [message] })
            {
                Status = 400,
                Title = ProblemTexts.InvalidRequest,
            };
        }

        return b.StatusCode == StatusCodes.Status415UnsupportedMediaType
            ? new ProblemDetails { Status = 415, Detail = b.Message == ProblemTexts.JsonOnlyUtf8 ? b.Message : "请以 application/json（UTF-8）发送请求体。" }
            : new ProblemDetails { Status = b.StatusCode, Title = ProblemTexts.UnreadableBody };
    }

    /// <summary>JSON errors name the field by its JSON path ($.relation → relation).</summary>
    private static HttpValidationProblemDetails JsonProblem(JsonException j)
    {
        var (field, message) = ProblemTexts.ForJson(j);
        return new HttpValidationProblemDetails(new Dictionary<string, string[]> { [field] = [message] })
        {
            Status = 400,
            Title = "请求体不是此接口可接受的 JSON。",
        };
    }
}
