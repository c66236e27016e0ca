namespace NeighbourHub.Web.Hosting;

/// <summary>Paging as API.md fixes it: page from 1, pageSize up to 100.</summary>
public sealed record Paged<T>(IReadOnlyList<T> Items, int Page, int PageSize, long Total);

public static class Paging
{
    public const int MaxPageSize = 100;
    public const int DefaultPageSize = 20;

    /// <summary>
    /// Far beyond any real list, and small enough that (page - 1) * pageSize can never overflow:
    /// page=2147483647 is a 400, not a silent page 1 (SQLite) or a database error (MariaDB).
    /// </summary>
    public const int MaxPage = 1_000_000;

    public static (int Page, int PageSize) Normalize(int? page, int? pageSize, Validation v)
    {
        var p = page ?? 1;
        var s = pageSize ?? DefaultPageSize;
        v.When(p is < 1 or > MaxPage, "page", $"页码应在 1 到 {MaxPage} 之间。");
        v.When(s is < 1 or > MaxPageSize, "pageSize", $"每页条数应在 1 到 {MaxPageSize} 之间。");
        return (p, s);
    }

    /// <summary>
    /// One page and the total. The page is read first: when it is neither empty nor full it is the last page, so the
    /// total is everything before it plus what it holds, and the count query is not needed. Most of a resident's
    /// lists (their bills, repairs, notices, events) fit one page, and a query saved is most of a request's cost here.
    /// </summary>
    public static async Task<Paged<T>> ToPageAsync<T>(this IQueryable<T> query, int page, int pageSize, CancellationToken ct)
    {
        var items = await Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.ToListAsync(query.Skip(Skipped(page, pageSize)).Take(pageSize), ct);
        return await PageOfAsync(items, page, pageSize, () => Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.LongCountAsync(query, ct));
    }

    /// <summary>
    /// The same for a compiled query, which takes the page's bounds as parameters (<see cref="Skipped"/>, the page
    /// size): <paramref name="count"/> runs only when the page does not tell the total.
    /// </summary>
    public static async Task<Paged<T>> ToPageAsync<T>(this IAsyncEnumerable<T> pageRows, int page, int pageSize, Func<Task<long>> count, CancellationToken ct) =>
        await PageOfAsync(await pageRows.ToListAsync(ct), page, pageSize, count);

    /// <summary>The rows before the page.</summary>
    public static int Skipped(int page, int pageSize) => (page - 1) * pageSize;

    private static async Task<Paged<T>> PageOfAsync<T>(List<T> items, int page, int pageSize, Func<Task<long>> count)
    {
        var total = items.Count < pageSize && (items.Count > 0 || page == 1)
            ? (long)Skipped(page, pageSize) + items.Count
            : await count();
        return new Paged<T>(items, page, pageSize, total);
    }
}
