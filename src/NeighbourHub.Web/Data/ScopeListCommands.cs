// EF Core's query pipeline is extended here through its internal provider services (ADR 0014): EF1001 is expected.
#pragma warning disable EF1001
using System.Collections;
using System.Collections.Concurrent;
using System.Globalization;
using System.Linq.Expressions;
using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.EntityFrameworkCore.Query;
using Microsoft.EntityFrameworkCore.Query.SqlExpressions;
using Microsoft.EntityFrameworkCore.Storage;

namespace NeighbourHub.Web.Data;

/// <summary>
/// Keeps the SQL of queries whose tenancy filter inlines the caller's scope id lists, per distinct lists (ADR 0014).
/// <para>
/// The scope's flags (<c>db.ScopeUnrestricted</c>, <c>db.ScopeIsAdmin</c>, <c>db.ScopeIsResident</c>) are written into
/// that SQL as constants too, so EF's own simplification drops the branches of other kinds of caller: a resident's
/// query no longer carries <c>false AND EXISTS (…)</c> for the staff branch of a rule, which MariaDB parsed and
/// prepared on every execution all the same (seventh round). The key holds the flags' values.
/// </para>
/// <para>
/// The filters hold lists (<c>db.ScopeEstateIds.Contains(x.EstateId)</c>) that we translate to <c>IN (1, 2)</c>
/// constants. EF Core cannot keep such SQL, since its own cache key sees only whether each parameter is null; it
/// generates the SQL again on every execution, one thread at a time per query. Scopes repeat, though: every
/// resident of an estate, every request of the system scope, carries the same lists. So this keeps the command per
/// query and per list values, and hands it back instead of generating it again.
/// </para>
/// <para>
/// It is sound only where the SQL depends on nothing but the lists' and flags' values and which other parameters are
/// null. EF Core's own cache relies on the second; of the provider's steps after it, only Pomelo's LIMIT/OFFSET workaround
/// for some MySQL versions writes a scalar's value into the SQL (dropping <c>OFFSET @p</c> when it is 0). So a
/// command is not kept when a LIMIT or OFFSET parameter of the query is missing from it. (Other parameters do
/// vanish legitimately: an empty list makes its clause constant, and the clause's parameters go with it.)
/// </para>
/// </summary>
internal static class ScopeListCommands
{
    /// <summary>Kept commands of one query, by their key. Cleared when it reaches this many (admins' scopes vary most).</summary>
    internal const int MaxPerQuery = 256;

    private static readonly ConditionalWeakTable<Expression, Query> Queries = new();

    private static long _served;

    /// <summary>How many executions were served a kept command (the tests read it to know the keeping works).</summary>
    internal static long Served => Interlocked.Read(ref _served);

    /// <summary>
    /// The key of a query's parameter values: each list's elements, each scope flag's value, and of every other
    /// parameter only whether it is null. Null when there is neither a list nor a flag, or a list holds something other
    /// than plain values (never keep those).
    /// </summary>
    internal static string? KeyOf(IReadOnlyDictionary<string, object?> values)
    {
        StringBuilder? key = null;
        var inlined = 0; // lists and flags: the values written into the SQL
        foreach (var (name, value) in values)
        {
            key ??= new StringBuilder(64);
            key.Append(name).Append('=');
            switch (value)
            {
                case null:
                    key.Append('∅');
                    break;
                case bool flag when IsScopeFlag(name):
                    inlined++;
                    key.Append(flag ? 'T' : 'F');
                    break;
                case string or byte[] or not IEnumerable:
                    key.Append('•');
                    break;
                case IEnumerable list:
                    inlined++;
                    key.Append('[');
                    foreach (var element in list)
                    {
                        if (!AppendPlain(key, element))
                        {
                            return null;
                        }
                    }

                    key.Append(']');
                    break;
            }

            key.Append(';');
        }

        return inlined == 0 ? null : key!.ToString();
    }

    /// <summary>
    /// A boolean parameter EF made of a query filter's reference to the context (<c>db.ScopeIsAdmin</c> becomes
    /// <c>__ef_filter__ScopeIsAdmin_0</c>): one of the scope's flags, written into the SQL as a constant.
    /// </summary>
    internal static bool IsScopeFlag(string parameterName) => parameterName.StartsWith("__ef_filter__", StringComparison.Ordinal);

    /// <summary>The tree with the scope's flags as constants, for EF's simplification to drop what they decide.</summary>
    internal static Expression WithFlagsInlined(Expression query, IReadOnlyDictionary<string, object?> values) =>
        new FlagInliner(values).Visit(query);

    private sealed class FlagInliner(IReadOnlyDictionary<string, object?> values) : ExpressionVisitor
    {
        protected override Expression VisitExtension(Expression node) =>
            node is SqlParameterExpression p && p.Type == typeof(bool) && IsScopeFlag(p.Name) && values.TryGetValue(p.Name, out var v) && v is bool flag
                ? new SqlConstantExpression(flag, p.TypeMapping)
                : base.VisitExtension(node);
    }

    /// <summary>A value whose text is its identity, written length-first so no two lists write the same key.</summary>
    private static bool AppendPlain(StringBuilder key, object? element)
    {
        var text = element switch
        {
            null => "∅",
            string s => s,
            // Times round-trip ("O"): the invariant default drops fractions of a second, which the SQL constants keep.
            DateTime t => t.ToString("O", CultureInfo.InvariantCulture),
            DateTimeOffset t => t.ToString("O", CultureInfo.InvariantCulture),
            long or int or short or byte or ulong or uint or ushort or sbyte or bool or decimal or Guid or DateOnly or Enum
                => Convert.ToString(element, CultureInfo.InvariantCulture),
            _ => null,
        };
        if (text is null)
        {
            return false;
        }

        key.Append(text.Length).Append(':').Append(text).Append(',');
        return true;
    }

    internal static bool TryGet(Expression query, string key, out IRelationalCommand command)
    {
        command = null!;
        if (!Queries.TryGetValue(query, out var kept) || !kept.Commands.TryGetValue(key, out command!))
        {
            return false;
        }

        Interlocked.Increment(ref _served);
        return true;
    }

    /// <summary>Keeps <paramref name="command"/> for the query and key when no scalar parameter was inlined into it.</summary>
    internal static IRelationalCommand Remember(Expression query, string key, IReadOnlyDictionary<string, object?> values, IRelationalCommand command)
    {
        var kept = Queries.GetValue(query, q => new Query(LimitAndOffsetParametersOf(q)));
        if (kept.LimitAndOffsetParameters is not { } paging)
        {
            return command;
        }

        foreach (var name in paging)
        {
            if (values.TryGetValue(name, out var value) && value is not null && !command.Parameters.Any(p => p.InvariantName == name))
            {
                return command; // its value is written into the SQL: the key cannot describe this command
            }
        }

        if (kept.Commands.Count >= MaxPerQuery)
        {
            kept.Commands.Clear();
        }

        kept.Commands[key] = command;
        return command;
    }

    /// <summary>The parameters of the query's LIMIT and OFFSET clauses; null when the tree cannot be read (keep nothing).</summary>
    private static HashSet<string>? LimitAndOffsetParametersOf(Expression query)
    {
        try
        {
            var finder = new ParameterFinder();
            finder.Visit(query);
            return finder.Names;
        }
        catch (Exception e) when (e is InvalidOperationException or NotSupportedException or ArgumentException)
        {
            return null;
        }
    }

    private sealed class Query(HashSet<string>? limitAndOffsetParameters)
    {
        public HashSet<string>? LimitAndOffsetParameters { get; } = limitAndOffsetParameters;
        public ConcurrentDictionary<string, IRelationalCommand> Commands { get; } = new();
    }

    private sealed class ParameterFinder : ExpressionVisitor
    {
        public HashSet<string> Names { get; } = [];

        protected override Expression VisitExtension(Expression node)
        {
            if (node is SelectExpression { Limit: var limit, Offset: var offset })
            {
                foreach (var clause in new[] { limit, offset })
                {
                    if (clause is SqlParameterExpression parameter)
                    {
                        Names.Add(parameter.Name);
                    }
                }
            }

            return base.VisitExtension(node);
        }
    }
}

/// <summary>The processor's answer when the command is already kept: the generator below hands it back as it is.</summary>
internal sealed class KeptCommandExpression(IRelationalCommand command) : Expression
{
    public IRelationalCommand Command { get; } = command;
    public override ExpressionType NodeType => ExpressionType.Extension;
    public override Type Type => typeof(object);
    protected override Expression VisitChildren(ExpressionVisitor visitor) => this;
}

/// <summary>The processor's answer on a miss: the optimised SQL tree, and what the generator needs to keep its command.</summary>
internal sealed class CommandToKeepExpression(Expression optimized, Expression query, string key, IReadOnlyDictionary<string, object?> values) : Expression
{
    public Expression Optimized { get; } = optimized;
    public Expression Query { get; } = query;
    public string Key { get; } = key;
    public IReadOnlyDictionary<string, object?> Values { get; } = values;
    public override ExpressionType NodeType => ExpressionType.Extension;
    public override Type Type => typeof(object);
    protected override Expression VisitChildren(ExpressionVisitor visitor) => this;
}

/// <summary>
/// The provider's processor: writes the scope's flags into the SQL, and is asked first whether the command for these
/// lists and flags is kept (with <paramref name="keep"/> off, only in a test, it generates the SQL afresh every time).
/// </summary>
internal sealed class ScopeListSqlProcessor(
    RelationalParameterBasedSqlProcessorDependencies dependencies, RelationalParameterBasedSqlProcessorParameters parameters,
    RelationalParameterBasedSqlProcessor inner, bool keep) : RelationalParameterBasedSqlProcessor(dependencies, parameters)
{
    public override Expression Optimize(Expression queryExpression, IReadOnlyDictionary<string, object?> parametersValues, out bool canCache)
    {
        var key = ScopeListCommands.KeyOf(parametersValues);
        if (key is null)
        {
            return inner.Optimize(queryExpression, parametersValues, out canCache);
        }

        // EF's own cache would key this SQL on nullness alone, and it holds the flags' and lists' values.
        canCache = false;
        if (keep && ScopeListCommands.TryGet(queryExpression, key, out var command))
        {
            return new KeptCommandExpression(command);
        }

        var optimized = inner.Optimize(ScopeListCommands.WithFlagsInlined(queryExpression, parametersValues), parametersValues, out _);
        return keep ? new CommandToKeepExpression(optimized, queryExpression, key, parametersValues) : optimized;
    }
}

internal class ScopeListSqlProcessorFactory<TInner>(IServiceProvider services, RelationalParameterBasedSqlProcessorDependencies dependencies)
    : IRelationalParameterBasedSqlProcessorFactory where TInner : IRelationalParameterBasedSqlProcessorFactory
{
    private readonly TInner _inner = ActivatorUtilities.CreateInstance<TInner>(services);

    protected virtual bool Keep => true;

    public RelationalParameterBasedSqlProcessor Create(RelationalParameterBasedSqlProcessorParameters parameters) =>
        new ScopeListSqlProcessor(dependencies, parameters, _inner.Create(parameters), Keep);
}

/// <summary>The same SQL, generated afresh on every execution: for the test that compares it with the kept SQL.</summary>
internal sealed class AfreshScopeListSqlProcessorFactory<TInner>(IServiceProvider services, RelationalParameterBasedSqlProcessorDependencies dependencies)
    : ScopeListSqlProcessorFactory<TInner>(services, dependencies) where TInner : IRelationalParameterBasedSqlProcessorFactory
{
    protected override bool Keep => false;
}

/// <summary>The provider's SQL generator, which hands back kept commands and keeps new ones.</summary>
internal sealed class ScopeListSqlGenerator(QuerySqlGeneratorDependencies dependencies, QuerySqlGenerator inner) : QuerySqlGenerator(dependencies)
{
    public override IRelationalCommand GetCommand(Expression queryExpression) => queryExpression switch
    {
        KeptCommandExpression kept => kept.Command,
        CommandToKeepExpression toKeep => ScopeListCommands.Remember(toKeep.Query, toKeep.Key, toKeep.Values, inner.GetCommand(toKeep.Optimized)),
        _ => inner.GetCommand(queryExpression),
    };
}

internal sealed class ScopeListSqlGeneratorFactory<TInner>(IServiceProvider services, QuerySqlGeneratorDependencies dependencies) : IQuerySqlGeneratorFactory
    where TInner : IQuerySqlGeneratorFactory
{
    private readonly TInner _inner = ActivatorUtilities.CreateInstance<TInner>(services);

    public QuerySqlGenerator Create() => new ScopeListSqlGenerator(dependencies, _inner.Create());
}
