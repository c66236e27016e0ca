using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace NeighbourHub.Web.Data;

/// <summary>
/// A compiled query (<c>EF.CompileAsyncQuery</c>) for each EF model it runs against. EF binds a compiled query to the
/// model of the first context that runs it and throws for any other: a deployment has one model (MariaDB or SQLite),
/// but one process may hold both — the test host starts apps on either side by side.
/// </summary>
/// <param name="compile">Compiles the query; called once per model.</param>
public sealed class CompiledPerModel<TQuery>(Func<TQuery> compile)
    where TQuery : Delegate
{
    private readonly ConcurrentDictionary<IModel, TQuery> _compiled = new(ReferenceEqualityComparer.Instance);

    /// <summary>The query compiled for <paramref name="db"/>'s model.</summary>
    public TQuery For(DbContext db) => _compiled.GetOrAdd(db.Model, static (_, c) => c(), compile);
}
