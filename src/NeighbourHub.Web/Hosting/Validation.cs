namespace NeighbourHub.Web.Hosting;

/// <summary>
/// Collects per-field errors for one request. Handlers return <see cref="Problem"/> when
/// <see cref="IsValid"/> is false, before touching anything.
/// </summary>
public sealed class Validation
{
    private readonly Dictionary<string, List<string>> _errors = [];

    public bool IsValid => _errors.Count == 0;

    public Validation Add(string field, string message)
    {
        if (!_errors.TryGetValue(field, out var list))
        {
            _errors[field] = list = [];
        }

        list.Add(message);
        return this;
    }

    /// <param name="label">The field's Chinese name, for messages read outside the field's own box (console notices).</param>
    public Validation Required(string field, string? value, int maxLength = 200, string? label = null)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return Add(field, $"{label}必须填写。");
        }

        return value.Length > maxLength ? Add(field, $"{label}最多 {maxLength} 个字。") : this;
    }

    public Validation Required<T>(string field, T? value) where T : struct =>
        value is null ? Add(field, "必须填写。") : this;

    public Validation MaxLength(string field, string? value, int maxLength) =>
        value is not null && value.Length > maxLength ? Add(field, $"最多 {maxLength} 个字。") : this;

    public Validation Positive(string field, long? value) =>
        value is null ? Add(field, "必须填写。") : value <= 0 ? Add(field, "编号必须是正整数。") : this;

    public Validation When(bool failed, string field, string message) => failed ? Add(field, message) : this;

    /// <summary>
    /// A calendar day a person could mean (2000–2099): filters and reports turn days into instants in Beijing time,
    /// and year 1 or 9999 would fall off the calendar there.
    /// </summary>
    public Validation Day(string field, DateOnly? day) =>
        When(day is { Year: < 2000 or > 2099 }, field, "日期应在 2000 年至 2099 年之间。");

    public IDictionary<string, string[]> Errors => _errors.ToDictionary(kv => kv.Key, kv => kv.Value.ToArray());

    public Microsoft.AspNetCore.Http.HttpResults.ValidationProblem Problem() => TypedResults.ValidationProblem(Errors, title: ProblemTexts.InvalidRequest);
}

/// <summary>Enum values in query strings, spelt as in JSON (camelCase), with a field error for anything else.</summary>
public static class EnumQuery
{
    public static T? Parse<T>(string field, string? value, Validation v) where T : struct, Enum
    {
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }

        if (!value.All(char.IsAsciiLetter) || !Enum.TryParse<T>(value, ignoreCase: true, out var parsed))
        {
            var allowed = string.Join(", ", Enum.GetNames<T>().Select(System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName));
            v.Add(field, $"只能是以下之一：{allowed}。");
            return null;
        }

        return parsed;
    }
}
