using System.Text;
using System.Text.Json;

namespace Samples.Web.Tests.Support;

public static class HttpExtensions
{
    /// <summary>Posts a JSON body as <c>curl -H "Content-Type: application/json" -d '…'</c> does.</summary>
    public static Task<HttpResponseMessage> PostJsonAsync(this HttpClient client, string path, string json) =>
        client.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));

    public static async Task<JsonElement> JsonAsync(this HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }

    public static string Text(this JsonElement element, string name) =>
        element.GetProperty(name).GetString() ?? throw new InvalidOperationException($"{name} is null.");

    public static IEnumerable<string> Ids(this JsonElement page) =>
        page.GetProperty("items").EnumerateArray().Select(j => j.Text("id"));
}
