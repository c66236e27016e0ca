using Microsoft.AspNetCore.Components;
using MudBlazor;
using NeighbourHub.Web.Data;
using NeighbourHub.Web.Hosting;

namespace NeighbourHub.Web.Components;

/// <summary>
/// Base of console pages that act: each action runs in its own scoped context and ends in a snackbar
/// saying what happened, or why the rules refused it (the same domain exceptions the API turns into
/// problem details).
/// </summary>
public abstract class ConsolePageBase : ComponentBase
{
    [Inject] protected ConsoleDb Console { get; set; } = default!;

    [Inject] protected ISnackbar Snackbar { get; set; } = default!;

    private int _loadGeneration;

    /// <summary>
    /// Applies a filter change, then runs the page's load. Loads can overlap (a filter clicked while the
    /// first load still runs), so each load guards its own results: it takes a number from
    /// <see cref="BeginLoad"/> before reading and applies what it read only if <see cref="IsLatest"/> still
    /// holds. This method cannot do that for the page — only the load knows where its results go.
    /// </summary>
    protected async Task ReloadAsync(Action change, Func<Task> load)
    {
        change();
        await load();
    }

    /// <summary>Marks the start of a load; pass the number to <see cref="IsLatest"/> before applying its results.</summary>
    protected int BeginLoad() => ++_loadGeneration;

    protected bool IsLatest(int load) => load == _loadGeneration;

    /// <summary>Runs <paramref name="action"/>, shows its message, then <paramref name="reload"/> whatever happened.</summary>
    protected async Task RunAsync(Func<NeighbourHubDbContext, Task<string>> action, Func<Task>? reload = null)
    {
        try
        {
            await using var db = await Console.CreateAsync();
            Snackbar.Add(await action(db), Severity.Success);
        }
        catch (RequestValidationException e)
        {
            Snackbar.Add(string.Join(" ", e.Errors.SelectMany(kv => kv.Value)), Severity.Error);
        }
        catch (Exception e) when (e is DomainValidationException or ConflictException or NotFoundException or ForbiddenException
                                       or Features.Files.UploadLimitExceededException)
        {
            Snackbar.Add(e.Message, Severity.Error);
        }

        if (reload is not null)
        {
            await reload();
        }
    }
}
