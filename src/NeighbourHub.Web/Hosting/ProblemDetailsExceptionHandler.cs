using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace NeighbourHub.Web.Hosting;

/// <summary>
/// The single translation from exceptions to RFC 7807. Bad JSON (syntax, wrong types, unknown fields,
/// unknown enum values) and oversize bodies are the client's fault and say so; anything unexpected is
/// a 500 whose details stay in the log, found by the trace id.
/// </summary>
internal sealed class ProblemDetailsExceptionHandler(IProblemDetailsService problems, ILogger<ProblemDetailsExceptionHandler> log)
    : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken ct)
    {
        ProblemDetails problem = exception switch
        {
            DomainValidationException v => new HttpValidationProblemDetails(v.Errors) { Status = 400, Title = "The request is not valid.", Detail = v.Message },
            RequestValidationException r => new HttpValidationProblemDetails(r.Errors) { Status = 400, Title = "The request is not valid." },
            ConflictException c => new ProblemDetails { Status = 409, Title = "Conflict", Detail = c.Message },
            NotFoundException n => new ProblemDetails { Status = 404, Title = "Not found", Detail = n.Message },
            ForbiddenException f => new ProblemDetails { Status = 403, Title = "Forbidden", Detail = f.Message },
            UnauthorizedException u => new ProblemDetails { Status = 401, Title = "Unauthorized", Detail = u.Message },
            // Nothing was written (the transaction rolled back); the same request again will go through.
            _ when DatabaseCollisions.IsCollision(exception) => new ProblemDetails
            {
                Status = 409,
                Title = "Conflict",
                Detail = "This request collided with another one at the same moment and changed nothing; please try again.",
            },
            BadHttpRequestException { InnerException: JsonException j } => JsonProblem(j),
            BadHttpRequestException b when b.StatusCode == StatusCodes.Status413PayloadTooLarge =>
                new ProblemDetails { Status = 413, Title = "The request body is too large.", Detail = b.Message },
            BadHttpRequestException b => new ProblemDetails { Status = b.StatusCode, Title = "The request could not be read.", Detail = b.Message },
            JsonException j => JsonProblem(j),
            OperationCanceledException when http.RequestAborted.IsCancellationRequested =>
                new ProblemDetails { Status = 499, Title = "The client closed the request." },
            _ => new ProblemDetails { Status = 500, Title = "An unexpected error occurred.", Detail = "The error has been logged with this trace id." },
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
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = http, ProblemDetails = problem, Exception = exception });
    }

    /// <summary>JSON errors name the field by its JSON path ($.relation → relation).</summary>
    private static HttpValidationProblemDetails JsonProblem(JsonException j)
    {
        var field = string.IsNullOrEmpty(j.Path) || j.Path == "$" ? "body" : j.Path.TrimStart('$', '.');
        var message = j.Message.Split(" Path:", 2)[0];
        return new HttpValidationProblemDetails(new Dictionary<string, string[]> { [field] = [message] })
        {
            Status = 400,
            Title = "The request body is not valid JSON for this endpoint.",
        };
    }
}
