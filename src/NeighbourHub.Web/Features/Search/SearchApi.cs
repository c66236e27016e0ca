using Microsoft.AspNetCore.Http.HttpResults;
using NeighbourHub.Web.Data;
using NeighbourHub.Web.Features.Identity;
using NeighbourHub.Web.Hosting;

namespace NeighbourHub.Web.Features.Search;

public static class SearchApi
{
    public static IEndpointRouteBuilder MapSearchApi(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/api/v1/admin").WithTags("Admin search").RequireAuthorization(Policies.Admin)
            .MapGet("/search", Search);
        return app;
    }

    private static async Task<Results<Ok<SearchResults>, ValidationProblem>> Search(string? q, NeighbourHubDbContext db, CancellationToken ct)
    {
        var v = new Validation().Required("q", q, SearchQueries.MaxQueryLength, label: "搜索内容");
        if (!v.IsValid)
        {
            return v.Problem();
        }

        return TypedResults.Ok(await SearchQueries.SearchAsync(db, q, ct));
    }
}
