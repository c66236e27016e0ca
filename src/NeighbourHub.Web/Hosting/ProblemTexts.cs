using System.Text.Json;
using System.Text.RegularExpressions;

namespace NeighbourHub.Web.Hosting;

/// <summary>
/// The product's own words for problems the framework detects before any handler runs (status titles,
/// unreadable bodies, values that do not bind). Residents read these in the mini-program, so they are
/// Chinese and never quote a .NET type or parameter declaration.
/// </summary>
public static partial class ProblemTexts
{
    /// <summary>The title of a problem with this status when nobody gave a more specific one.</summary>
    public static string TitleFor(int status) => status switch
    {
        400 => "请求有误。",
        401 => "请先登录。",
        403 => "没有权限执行此操作。",
        404 => "未找到。",
        405 => "不支持此请求方法。",
        409 => "操作与当前状态冲突。",
        413 => "请求内容过大。",
        415 => "不支持的内容类型。",
        423 => "已锁定。",
        429 => "操作太频繁，请稍后再试。",
        499 => "请求已被取消。",
        >= 500 => "服务器出错了，请稍后再试。",
        _ => "请求无法处理。",
    };

    /// <summary>Titles ASP.NET Core gives by default (RFC reason phrases): replaced by <see cref="TitleFor"/>.</summary>
    public static bool IsDefaultTitle(string? title) => title is null || DefaultTitles.Contains(title);

    private static readonly HashSet<string> DefaultTitles =
    [
        "Bad Request", "Unauthorized", "Forbidden", "Not Found", "Method Not Allowed", "Conflict", "Payload Too Large",
        "Content Too Large", "Unsupported Media Type", "Locked", "Too Many Requests", "An error occurred while processing your request.",
        "One or more validation errors occurred.", "Internal Server Error", "Service Unavailable",
    ];

    public const string InvalidRequest = "请求内容不符合要求。";
    public const string UnreadableBody = "请求体无法解析：格式不完整或已损坏。";
    public const string JsonOnlyUtf8 = "JSON 请求体必须使用 UTF-8 编码。";

    /// <summary>
    /// A binder failure in the product's words, per field. The framework's messages name .NET types
    /// ("Failed to bind parameter \"Nullable&lt;int&gt; page\" from \"abc\""); only the field name survives.
    /// </summary>
    public static (string Field, string Message)? ForBinderMessage(string message)
    {
        if (FailedToBind().Match(message) is { Success: true } bind)
        {
            var type = bind.Groups["type"].Value;
            var kind = type.Contains("int", StringComparison.OrdinalIgnoreCase) || type.Contains("long", StringComparison.OrdinalIgnoreCase)
                ? "整数"
                : type.Contains("Date", StringComparison.Ordinal) ? "日期或时间"
                : type.Contains("bool", StringComparison.OrdinalIgnoreCase) ? "true 或 false"
                : type.Contains("decimal", StringComparison.OrdinalIgnoreCase) ? "数字"
                : "有效的值";
            return (bind.Groups["name"].Value, $"应为{kind}。");
        }

        if (RequiredNotProvided().Match(message) is { Success: true } required)
        {
            return (required.Groups["name"].Value, "必须填写。");
        }

        return null;
    }

    /// <summary>A JSON reading error in the product's words, keyed by the JSON path of the offending member.</summary>
    public static (string Field, string Message) ForJson(JsonException j)
    {
        var field = string.IsNullOrEmpty(j.Path) || j.Path == "$" ? "body" : j.Path.TrimStart('$', '.');
        var text = j.Message;
        var message = text.Contains("could not be mapped to any .NET member", StringComparison.Ordinal) ? "不认识这个字段。"
            : text.Contains("missing required properties", StringComparison.Ordinal) ? "缺少必填字段。"
            : text.Contains("could not be converted", StringComparison.Ordinal) ? "值的类型或取值不正确。"
            : text.Contains("Cannot get the value of a token type", StringComparison.Ordinal) ? "值的类型不正确。"
            : "不是有效的 JSON。";
        return (field, message);
    }

    [GeneratedRegex("""Failed to bind parameter "(?<type>.+) (?<name>\w+)" from""")]
    private static partial Regex FailedToBind();

    [GeneratedRegex("""Required parameter "(?<type>.+) (?<name>\w+)" was not provided""")]
    private static partial Regex RequiredNotProvided();
}
