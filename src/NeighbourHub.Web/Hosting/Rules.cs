using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore.Query;

namespace NeighbourHub.Web.Hosting;

/// <summary>
/// A domain rule written once as an expression serves both EF queries (translated to SQL) and rows in memory
/// (compiled once). These helpers fit such a rule to where it is used.
/// </summary>
public static class Rules
{
    /// <summary>
    /// The rule with its second argument fixed, e.g. "active on <paramref name="value"/>". The value is captured
    /// as a closure, so EF sends it as a parameter (one cached query plan), not as a constant.
    /// </summary>
    public static Expression<Func<T, bool>> With<T, TArg>(this Expression<Func<T, TArg, bool>> rule, TArg value)
    {
        Expression<Func<TArg>> captured = () => value;
        return Expression.Lambda<Func<T, bool>>(
            ReplacingExpressionVisitor.Replace(rule.Parameters[1], captured.Body, rule.Body), rule.Parameters[0]);
    }

    /// <summary>The rule applied to a part of a row, e.g. a status rule to <c>r =&gt; r.Status</c>.</summary>
    public static Expression<Func<T, bool>> On<T, TPart>(this Expression<Func<TPart, bool>> rule, Expression<Func<T, TPart>> part) =>
        Expression.Lambda<Func<T, bool>>(ReplacingExpressionVisitor.Replace(rule.Parameters[0], part.Body, rule.Body), part.Parameters[0]);
}
