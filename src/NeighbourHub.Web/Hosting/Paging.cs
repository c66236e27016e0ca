namespace NeighbourHub.Web.Hosting;

/// <summary>Paging as API.md fixes it: page from 1, pageSize up to 100.</summary>
public sealed record Paged<T>(IReadOnlyList<T> Items, int Page, int PageSize, long Total);

public static class Paging
{
    public const int MaxPageSize = 100;
    public const int DefaultPageSize = 20;

    public static (int Page, int PageSize) Normalize(int? page, int? pageSize, Validation v)
    {
        var p = page ?? 1;
        var s = pageSize ?? DefaultPageSize;
        v.When(p < 1, "page", "page starts at 1.");
        v.When(s is < 1 or > MaxPageSize, "pageSize", $"pageSize must be between 1 and {MaxPageSize}.");
        return (p, s);
    }

    public static async Task<Paged<T>> ToPageAsync<T>(this IQueryable<T> query, int page, int pageSize, CancellationToken ct)
    {
        var total = await Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.LongCountAsync(query, ct);
        var items = await Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.ToListAsync(query.Skip((page - 1) * pageSize).Take(pageSize), ct);
        return new Paged<T>(items, page, pageSize, total);
    }
}
