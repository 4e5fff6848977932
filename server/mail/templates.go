package mail

import (
	htmltemplate "html/template"
	"strings"
	texttemplate "text/template"
)

// The HTML uses only tags that Mattermost's HTML-to-text conversion keeps
// (no img, hr, b, code, font, center), inline styles, tables for layout and no
// external resources. The link is shown as text under the button so the
// derived text part (which drops href attributes) still carries it.
const htmlSource = `<!DOCTYPE html>
<html lang="{{.Lang}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Subject}}</title>
</head>
<body style="margin:0;padding:0;background-color:#f4f5f7;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="background-color:#f4f5f7;">
<tr><td align="center" style="padding:24px 12px;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="max-width:600px;background-color:#ffffff;border-radius:8px;">
<tr><td style="padding:32px;font-family:Helvetica,Arial,sans-serif;font-size:16px;line-height:24px;color:#1f2329;word-wrap:break-word;overflow-wrap:anywhere;">
<h1 style="margin:0 0 24px 0;font-size:22px;line-height:30px;color:#1f2329;">{{.Heading}}</h1>
<p style="margin:0 0 16px 0;">{{.Greeting}}</p>
{{- range .Intro}}
<p style="margin:0 0 16px 0;">{{.}}</p>
{{- end}}
{{- if .Quote}}
<p style="margin:0 0 8px 0;color:#5d6068;">{{.QuoteLabel}}</p>
<blockquote style="margin:0 0 16px 0;padding:8px 16px;border-left:4px solid #d0d3d9;color:#1f2329;">{{range $i, $line := .Quote}}{{if $i}}<br>{{end}}{{$line}}{{end}}</blockquote>
{{- end}}
{{- range .Lists}}
<p style="margin:0 0 4px 0;font-weight:bold;">{{.Label}}</p>
<ul style="margin:0 0 16px 0;padding-left:24px;">
{{- range .Items}}
<li>{{.}}</li>
{{- end}}
</ul>
{{- end}}
{{- if .Fields}}
<table role="presentation" cellpadding="0" cellspacing="0" border="0" style="margin:0 0 16px 0;">
{{- range .Fields}}
<tr><td style="padding:4px 16px 4px 0;color:#5d6068;">{{.Label}}</td><td style="padding:4px 0;font-family:Menlo,Consolas,monospace;">{{.Value}}</td></tr>
{{- end}}
</table>
{{- end}}
{{- if .Link}}
<table role="presentation" cellpadding="0" cellspacing="0" border="0" style="margin:8px 0 16px 0;">
<tr><td style="border-radius:4px;background-color:#1c58d9;">
<a href="{{.Link}}" style="display:inline-block;padding:12px 24px;font-size:16px;font-weight:bold;color:#ffffff;text-decoration:none;border-radius:4px;">{{.Button}}</a>
</td></tr>
</table>
<p style="margin:0 0 16px 0;font-size:14px;line-height:20px;color:#5d6068;">{{.LinkHint}}<br><a href="{{.Link}}" style="color:#1c58d9;word-break:break-all;">{{.Link}}</a></p>
{{- end}}
{{- range .Notes}}
<p style="margin:0 0 16px 0;font-size:14px;line-height:20px;color:#5d6068;">{{.}}</p>
{{- end}}
</td></tr>
<tr><td style="padding:16px 32px 32px 32px;font-family:Helvetica,Arial,sans-serif;font-size:12px;line-height:18px;color:#8a8d93;border-top:1px solid #e6e7ea;">
{{- range .Footer}}
<p style="margin:0 0 8px 0;">{{.}}</p>
{{- end}}
{{- if .SiteURL}}
<p style="margin:0;"><a href="{{.SiteURL}}" style="color:#8a8d93;">{{.SiteURL}}</a></p>
{{- end}}
</td></tr>
</table>
</td></tr>
</table>
</body>
</html>
`

// textSource renders the same content as plain text.
const textSource = `{{.Heading}}

{{.Greeting}}
{{range .Intro}}
{{.}}
{{end}}
{{- if .Quote}}
{{.QuoteLabel}}
{{range .Quote}}> {{.}}
{{end}}
{{- end}}
{{- range .Lists}}
{{.Label}}
{{range .Items}}  - {{.}}
{{end}}
{{- end}}
{{- if .Fields}}
{{range .Fields}}{{.Label}} {{.Value}}
{{end}}
{{- end}}
{{- if .Link}}
{{.Button}}:
{{.Link}}
{{end}}
{{- range .Notes}}
{{.}}
{{end}}
--
{{range .Footer}}{{.}}
{{end}}
{{- if .SiteURL}}{{.SiteURL}}
{{end}}`

var (
	htmlTemplate = htmltemplate.Must(htmltemplate.New("html").Parse(htmlSource))
	textTemplate = texttemplate.Must(texttemplate.New("text").Parse(textSource))
)

// render executes both templates.
func (c *content) render() (Email, error) {
	var h, t strings.Builder
	if err := htmlTemplate.Execute(&h, c); err != nil {
		return Email{}, err
	}
	if err := textTemplate.Execute(&t, c); err != nil {
		return Email{}, err
	}
	return Email{Subject: c.Subject, HTML: h.String(), Text: t.String()}, nil
}
