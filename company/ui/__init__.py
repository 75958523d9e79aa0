"""GOV.UK Design System glue: form fields, Jinja filters, navigation and error pages."""
