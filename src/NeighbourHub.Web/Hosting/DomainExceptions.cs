namespace NeighbourHub.Web.Hosting;

// Rules throw these; ProblemDetailsExceptionHandler turns them into RFC 7807 answers.

/// <summary>The request is well-formed but the current state forbids it (409).</summary>
public sealed class ConflictException(string message) : Exception(message);

/// <summary>The thing (its Chinese noun: "报修单") does not exist or lies outside the caller's scope (404: we never say which).</summary>
public sealed class NotFoundException(string what) : Exception($"{what}不存在或您无权查看。");

/// <summary>A rule about the input that only the domain can check, reported per field (400).</summary>
public sealed class DomainValidationException(string field, string message) : Exception(message)
{
    public IDictionary<string, string[]> Errors { get; } = new Dictionary<string, string[]> { [field] = [message] };
}

/// <summary>The caller is known but not allowed (403).</summary>
public sealed class ForbiddenException(string message) : Exception(message);

/// <summary>The credentials presented are not (or no longer) valid (401).</summary>
public sealed class UnauthorizedException(string message) : Exception(message);

/// <summary>The caller is asking too often; they may try again later (429).</summary>
public sealed class TooManyRequestsException(string message) : Exception(message);

/// <summary>Per-field errors found by a shared rule (not a single field), reported like any validation problem (400).</summary>
public sealed class RequestValidationException(Validation validation) : Exception("请求内容不符合要求。")
{
    public IDictionary<string, string[]> Errors { get; } = validation.Errors;
}

/// <summary>Database answers that mean "you collided with another transaction", not "something is broken".</summary>
public static class DatabaseCollisions
{
    /// <summary>MariaDB deadlock (1213) or lock wait timeout (1205), SQLite busy/locked, anywhere in the chain.</summary>
    public static bool IsCollision(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
        {
            if (e is MySqlConnector.MySqlException { ErrorCode: MySqlConnector.MySqlErrorCode.LockDeadlock or MySqlConnector.MySqlErrorCode.LockWaitTimeout }
                || e is Microsoft.Data.Sqlite.SqliteException { SqliteErrorCode: 5 or 6 })
            {
                return true;
            }
        }

        return false;
    }
}
