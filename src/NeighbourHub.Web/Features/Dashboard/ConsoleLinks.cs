using System.Reflection;
using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components;

namespace NeighbourHub.Web.Features.Dashboard;

/// <summary>
/// Whether a console address opens for a user: the page the router would pick for it, and that page's
/// <c>[Authorize]</c> policies, judged as <c>AuthorizeRouteView</c> judges them. The home page links only where this says
/// yes, so no role is ever shown a link to a page it cannot open — whoever changes a page's policy later.
/// </summary>
public sealed class ConsoleLinks(IAuthorizationService authorization, IAuthorizationPolicyProvider policies)
{
    private sealed record Page(string[] Segments, AuthorizeAttribute[] Rules, bool Anonymous);

    private static readonly Lazy<List<Page>> Pages = new(() => typeof(ConsoleLinks).Assembly.GetTypes()
        .Where(t => typeof(IComponent).IsAssignableFrom(t) && !t.IsAbstract)
        .SelectMany(t => t.GetCustomAttributes<RouteAttribute>().Select(r => new Page(
            Split(r.Template), t.GetCustomAttributes<AuthorizeAttribute>(inherit: true).ToArray(), t.IsDefined(typeof(AllowAnonymousAttribute), inherit: true))))
        .ToList());

    private static string[] Split(string path) => path.Split('?', 2)[0].Split('/', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>The page a path routes to, preferring literal segments over parameters (/admin/votes/new over /admin/votes/{id}); null when none.</summary>
    private static Page? Route(string href)
    {
        var path = Split(href);
        return Pages.Value
            .Where(p => p.Segments.Length == path.Length
                && p.Segments.Zip(path).All(s => s.First.StartsWith('{') || string.Equals(s.First, s.Second, StringComparison.OrdinalIgnoreCase)))
            .OrderByDescending(p => p.Segments.Count(s => !s.StartsWith('{')))
            .FirstOrDefault();
    }

    public async Task<bool> MayOpenAsync(ClaimsPrincipal user, string href) => Route(href) is { } page && await DecideAsync(user, page);

    private async Task<bool> DecideAsync(ClaimsPrincipal user, Page page)
    {
        if (page.Anonymous || page.Rules.Length == 0)
        {
            return true;
        }

        var policy = await AuthorizationPolicy.CombineAsync(policies, page.Rules);
        return policy is null || (await authorization.AuthorizeAsync(user, resource: null, policy)).Succeeded;
    }

    /// <summary>A synchronous answer for every console page, decided once for the user (a few dozen pages).</summary>
    public async Task<Func<string, bool>> ForAsync(ClaimsPrincipal user)
    {
        var decided = new Dictionary<Page, bool>();
        foreach (var page in Pages.Value)
        {
            decided[page] = await DecideAsync(user, page);
        }

        return href => Route(href) is { } page && decided.GetValueOrDefault(page);
    }

    /// <summary>The sections of the home page that go with pages a role may not open are left out (ADR 0004 for the time bank).</summary>
    public static DashboardSections Sections(Func<string, bool> mayOpen) =>
        new(Fees: mayOpen("/admin/billing/collection"), TimeBank: mayOpen("/admin/timebank"));
}
